// A shell command, as the parser read it: every word that may name a file passes the workspace guard,
// code-carrying commands and unknown words ask, network reach is judged by host, and the rules of the
// tool that runs it decide each simple command; without the OS sandbox, writes and reach ask.
import { globMatches } from '../glob.js';
import {
  codeCarrying,
  networkHosts,
  pathCandidates,
  reachesNetwork,
  readOnlyCommand,
  type ShellCommand,
  type ShellFacts,
  type ShellWord,
} from '../shell-facts.js';
import { judgeHost } from './hosts.js';
import { guardPath, isInside, judgePath, resolveToolPath } from './paths.js';
import { everyReason, isExact, ruleName, strictest, userRules } from './rules.js';
import type { Policy, PolicyAction, PolicyContext, PolicyDecision, PolicyRule } from './spec.js';

const DEVICES = new Set([
  '/dev/null',
  '/dev/stdout',
  '/dev/stderr',
  '/dev/stdin',
  '/dev/tty',
  '/dev/zero',
  '/dev/random',
  '/dev/urandom',
]);
/** Variables that decide which program runs or what it loads: assigning them makes every command code. */
const CODE_VARIABLES =
  /^(PATH|IFS|ENV|BASH_ENV|CDPATH|GLOBIGNORE|PROMPT_COMMAND|PS4|SHELLOPTS|BASHOPTS|PAGER|EDITOR|VISUAL|LESSOPEN|LESSCLOSE|LD_[A-Z_]+|BASH_[A-Z_]+|GIT_[A-Z_]+|NODE_[A-Z_]+|PYTHON[A-Z_]*|PERL[A-Z_0-9]*|RUBY[A-Z_]*|GCONV_PATH|HOSTALIASES|MANPAGER|SYSTEMD_PAGER|NPM_CONFIG_[A-Z_]+|npm_config_[a-z_]+)$/;

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Judge a word the command may open as a file: outside or protected is denied; unknown asks. */
function judgeWord(ctx: PolicyContext, program: string, w: ShellWord): PolicyDecision | undefined {
  if (w.fields) {
    // A brace expansion: each field bash makes is judged; none is allowed unasked.
    for (const f of w.fields) {
      const d = judgeWord(ctx, program, f);
      if (d?.decision === 'deny') return d;
    }
  }
  if (w.value === undefined) {
    for (const candidate of w.prefix ? pathCandidates(w.prefix) : []) {
      const { denied } = guardPath(ctx, candidate, `${program}: ${w.text} (under ${candidate})`);
      if (denied) return denied;
    }
    return {
      decision: 'ask',
      rule: 'builtin:unknown-word',
      reason: `${program}: ${w.text} is known only at run time (${w.unknown})`,
    };
  }
  // Every word may name a file: bare words resolve inside the workspace, so for them only the protected paths matter.
  for (const candidate of pathCandidates(w.value)) {
    if (DEVICES.has(candidate)) continue;
    const { denied } = guardPath(ctx, candidate, `${program}: ${candidate}`);
    if (denied) return denied;
  }
  return undefined;
}

/** What the command's parts decided so far, in the order they were judged (the first strictest decides). */
interface Tally {
  decisions: PolicyDecision[];
  /** Each host's verdict: the strictest decides the network. */
  network: PolicyDecision[];
  /** Programs that neither only read nor were judged as network commands: the open network would be theirs too. */
  local: string[];
  readOnly: boolean;
}

const reads = (op: string) => op === '<' || op === '<&' || op === '<<<';

function judgeRedirects(policy: Policy, ctx: PolicyContext, tool: string, shell: ShellFacts, t: Tally): void {
  for (const r of shell.redirects) {
    const target = r.target;
    // Reading a protected file is denied like writing one; a read rule never allows the write of `>` or `<>`.
    const guarded = judgeWord(ctx, `a redirect ${r.op}`, target);
    if (guarded) t.decisions.push(guarded);
    if (target.value !== undefined && !DEVICES.has(target.value) && r.op !== '<<<')
      t.decisions.push(
        judgePath(policy, ctx, 'filesystem', target.value, reads(r.op) ? 'read' : 'write', !reads(r.op)),
      );
  }
}

function judgeOpaque(shell: ShellFacts, t: Tally): void {
  for (const reason of shell.opaque) t.decisions.push({ decision: 'ask', rule: 'builtin:code-carrying', reason });
  for (const name of new Set(shell.assigned)) {
    if (CODE_VARIABLES.test(name))
      t.decisions.push({
        decision: 'ask',
        rule: 'builtin:code-carrying',
        reason: `the command assigns ${name}, which changes what programs run`,
      });
  }
}

function judgeWords(ctx: PolicyContext, program: string, words: ShellWord[], t: Tally): void {
  for (const w of words) {
    const d = judgeWord(ctx, program, w);
    if (d) t.decisions.push(d);
  }
}

/** Why the command runs code the judge cannot see, if it does. */
function codeIn(program: string, values: string[], cmd: ShellCommand, shell: ShellFacts): string | undefined {
  if (cmd.wrappers.length) return `${cmd.wrappers[0]} runs another program`;
  const changed = cmd.assigns.find((a) => CODE_VARIABLES.test(a));
  return (
    codeCarrying(program, values, [...cmd.assigns, ...shell.assigned]) ??
    (changed ? `${program} runs with ${changed} changed` : undefined)
  );
}

function judgeReach(policy: Policy, program: string, values: string[], t: Tally): void {
  if (reachesNetwork(program, values)) {
    const hosts = networkHosts(program, values);
    for (const d of hosts.length ? hosts.map((h) => judgeHost(policy, h)) : [judgeHost(policy, undefined)])
      t.network.push(d);
  } else if (!readOnlyCommand(program, values)) t.local.push(program);
}

/** The rules that decide one simple command; where an allow rule names this exact command it decides, unless a deny or ask rule matches too. */
function commandRule(
  policy: Policy,
  tool: string,
  texts: { text: string; fullText: string; program?: string | undefined },
  exact: PolicyRule | undefined,
): PolicyDecision | undefined {
  // Each text once: without wrappers the full text is the text.
  const candidates = [
    ...new Set([texts.text, texts.fullText, ...(texts.program !== undefined ? [texts.program] : [])]),
  ];
  const matches = (m: NonNullable<PolicyRule['match']>) =>
    !m.command || candidates.some((c) => globMatches(m.command!, c, 'text'));
  if (exact)
    return (
      userRules(policy, tool, undefined, matches, ['deny', 'ask']) ?? {
        decision: 'allow',
        rule: ruleName(policy, exact),
        reason: exact.description ?? `rule ${ruleName(policy, exact)} names this exact command`,
      }
    );
  return texts.program !== undefined
    ? userRules(policy, tool, undefined, matches)
    : userRules(policy, tool, undefined, matches, ['deny', 'ask']);
}

/** A simple command whose name is known only at run time: it asks, and its words are still guarded. */
function judgeUnknownProgram(ctx: PolicyContext, cmd: ShellCommand, t: Tally): void {
  const [first, ...args] = cmd.words;
  t.decisions.push({
    decision: 'ask',
    rule: 'builtin:unknown-word',
    reason: `the command name ${first!.text} is known only at run time (${first!.unknown})`,
  });
  t.readOnly = false;
  judgeWords(ctx, first!.text, [...cmd.wrapperWords, ...args], t);
}

/** `cd` alone goes home; `cd -` goes back to a directory the judge does not know. */
function judgeCd(policy: Policy, ctx: PolicyContext, tool: string, program: string, args: ShellWord[], t: Tally): void {
  if ((program !== 'cd' && program !== 'pushd') || args.some((a) => a.value !== undefined && !a.value.startsWith('-')))
    return;
  t.decisions.push(
    args.some((a) => a.value === '-')
      ? {
          decision: 'ask',
          rule: 'builtin:unknown-word',
          reason: `${program} - returns to a directory known only at run time`,
        }
      : judgePath(policy, ctx, 'filesystem', ctx.home, 'read', false),
  );
}

function judgeProgram(
  policy: Policy,
  ctx: PolicyContext,
  tool: string,
  shell: ShellFacts,
  cmd: ShellCommand,
  t: Tally,
): void {
  const [first, ...args] = cmd.words as [ShellWord & { value: string }, ...ShellWord[]];
  const program = basename(first.value);
  // The program too, where it lies in the workspace: `.vloop/bin/x` or a symlink into it is a path like any other.
  const inWorkspace = isInside(ctx.workspace, resolveToolPath(ctx, first.value));
  judgeWords(ctx, program, [...cmd.wrapperWords.slice(1), ...(inWorkspace ? [first] : []), ...args], t);
  judgeCd(policy, ctx, tool, program, args, t);
  const known = args.every((a) => a.value !== undefined);
  const values = args.map((a) => a.value ?? a.text);
  // `./cat` or `/tmp/x/cat` is another program than the `cat` a rule names: rules see the name as written.
  const text = [first.value, ...values].join(' ');
  const code = codeIn(program, values, cmd, shell);
  const fullText = [...cmd.wrapperWords.map((w) => w.value ?? w.text), ...cmd.words.map((w) => w.value ?? w.text)].join(
    ' ',
  );
  const exact = known
    ? policy.rules.find(
        (r) =>
          r.tool === tool &&
          r.action === 'allow' &&
          r.match?.command !== undefined &&
          isExact(r.match.command) &&
          r.match.command === fullText,
      )
    : undefined;
  if (code && !exact)
    t.decisions.push({
      decision: 'ask',
      rule: 'builtin:code-carrying',
      reason: `${code}; only a rule naming this exact command allows it`,
    });
  judgeReach(policy, program, values, t);
  const hit = commandRule(policy, tool, { text, fullText, program: known ? first.value : undefined }, exact);
  t.decisions.push(
    hit ?? { decision: 'ask', rule: 'default:terminal-asks', reason: `running ${program} needs approval` },
  );
  if (!readOnlyCommand(program, values) || code) t.readOnly = false;
}

/** The network's verdict: the strictest host, but only a command whose other parts only read may have it unasked. */
function networkOf(policy: Policy, t: Tally): PolicyDecision | undefined {
  const net = t.network.length ? strictest(t.network) : undefined;
  // The sandbox opens the network to the whole command, not one program.
  if (net?.decision === 'allow' && policy.network !== 'allow' && t.local.length)
    return {
      decision: 'ask',
      rule: 'builtin:network-shared',
      reason: `the network would be open to ${[...new Set(t.local)].join(', ')} as well`,
    };
  return net;
}

/**
 * Without the OS sandbox nothing confines a command's writes or its network, nor keeps a recursive
 * read (grep -r, find, tar c) out of a harness directory that lies inside the workspace: those ask.
 */
function withoutSandbox(
  ctx: PolicyContext,
  decision: PolicyDecision,
  readOnly: boolean,
  net: PolicyDecision | undefined,
): PolicyDecision {
  const hiddenInside = (ctx.hiddenPaths ?? []).some((h) => isInside(ctx.workspace, h));
  if (ctx.sandboxed || decision.decision !== 'allow' || (readOnly && !net && !hiddenInside)) return decision;
  const why = net
    ? 'network reach'
    : !readOnly
      ? 'a command that may write'
      : 'a read that could reach the harness directory inside the workspace';
  return {
    decision: 'ask',
    rule: 'builtin:no-sandbox',
    reason: `the terminal runs without its OS sandbox here, so ${why} needs approval`,
  };
}

/** A shell command run by `tool` (the terminal's rules are `terminal` rules; its redirects and `cd` are judged as filesystem paths). */
export function judgeCommand(policy: Policy, ctx: PolicyContext, tool: string, shell: ShellFacts): PolicyDecision {
  if (shell.unparseable)
    return {
      decision: 'deny',
      rule: 'builtin:unreadable-command',
      reason: `bash would not accept this command: ${shell.unparseable}`,
    };
  const t: Tally = {
    decisions: [],
    network: [],
    local: [],
    readOnly: shell.redirects.every(
      (r) => reads(r.op) || (r.target.value !== undefined && DEVICES.has(r.target.value)),
    ),
  };
  judgeRedirects(policy, ctx, tool, shell, t);
  judgeOpaque(shell, t);
  for (const cmd of shell.commands) {
    if (!cmd.words[0]) continue;
    if (cmd.words[0].value === undefined) judgeUnknownProgram(ctx, cmd, t);
    else judgeProgram(policy, ctx, tool, shell, cmd, t);
  }
  if (!t.decisions.length && !t.network.length)
    return { decision: 'deny', rule: 'builtin:empty-command', reason: 'no command to run' };
  const net = networkOf(policy, t);
  if (net) t.decisions.push(net);
  // Every host's verdict is listed, not only the strictest one that decided the network.
  const considered = [...t.decisions, ...t.network];
  const decision = withoutSandbox(ctx, strictest(t.decisions), t.readOnly, net);
  const networkVerdict: PolicyAction | undefined =
    policy.network === 'allow' && ctx.sandboxed
      ? 'allow'
      : net && !ctx.sandboxed && net.decision === 'allow'
        ? 'ask'
        : net?.decision;
  return {
    ...decision,
    reasons: everyReason(decision, considered),
    ...(networkVerdict ? { network: networkVerdict } : {}),
  };
}
