// Decide a tool call against the policy: allow | deny | ask, and the rule that decided.
// deny beats ask beats allow; built-in rules (outside the workspace, protected paths, unknown words,
// code-carrying commands, unknown connections, read-only connections) cannot be overridden by user
// rules. Pure: commands and SQL arrive already read by real parsers (judge/).
import { z } from 'zod';
import { globMatcher, globMatches } from './glob.js';
import { codeCarrying, fileUrlPath, looksLikePath, networkHosts, pathCandidates, reachesNetwork, readOnlyCommand, type ShellFacts, type ShellWord } from './shell-facts.js';

export type PolicyAction = 'allow' | 'deny' | 'ask';
const ORDER: Record<PolicyAction, number> = { allow: 0, ask: 1, deny: 2 };

export const policyRule = z.strictObject({
  id: z.string().optional(),
  tool: z.string().min(1),
  action: z.enum(['allow', 'deny', 'ask']),
  match: z
    .strictObject({
      command: z.string().optional(),
      path: z.string().optional(),
      url: z.string().optional(),
      sql: z.enum(['read', 'write', 'ddl']).optional(),
      connection: z.string().optional(),
      op: z.string().optional(),
      /** MCP tools: argument name -> glob its (stringified) value must match. */
      arguments: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  description: z.string().optional(),
});
export type PolicyRule = z.infer<typeof policyRule>;

/** An MCP server agents may use (`mcp:<name>` in a component's tools). */
export const mcpServerSpec = z.discriminatedUnion('transport', [
  z.strictObject({
    transport: z.literal('stdio'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    /** Run the server under the terminal's OS sandbox (workspace read-write, no network unless `network`). */
    sandbox: z.boolean().default(false),
    network: z.boolean().default(false),
    /** Judge string arguments that look like paths with the workspace guard (off for servers whose strings are not paths). */
    pathArguments: z.boolean().default(true),
  }),
  z.strictObject({
    transport: z.literal('http'),
    url: z.url(),
    /** Header values, or `{env: NAME}` to take one from the worker's environment (a key never written into the policy). */
    headers: z.record(z.string(), z.union([z.string(), z.strictObject({ env: z.string().min(1) })])).default({}),
    pathArguments: z.boolean().default(true),
  }),
]);
export type McpServerSpec = z.infer<typeof mcpServerSpec>;
export const MCP_SERVER_NAME = /^[A-Za-z0-9_-]{1,32}$/;

export const policySpec = z.strictObject({
  rules: z.array(policyRule).default([]),
  connections: z.record(z.string(), z.strictObject({ url: z.string().min(1), write: z.boolean().default(false) })).default({}),
  approvalTimeoutMs: z.int().positive().default(24 * 60 * 60 * 1000),
  /** Whether terminal commands may reach the network when no `network` rule names their host. */
  network: z.enum(['deny', 'ask', 'allow']).default('ask'),
  mcpServers: z.record(z.string().regex(MCP_SERVER_NAME, 'an MCP server name is letters, digits, _ and -'), mcpServerSpec).default({}),
});
export type Policy = z.infer<typeof policySpec>;

/** The built-in tools' calls. */
export const builtinToolCall = z.discriminatedUnion('tool', [
  z.strictObject({ tool: z.literal('terminal'), args: z.strictObject({ command: z.string().min(1) }) }),
  z.strictObject({
    tool: z.literal('filesystem'),
    args: z.strictObject({
      op: z.enum(['read', 'write', 'edit', 'list', 'glob', 'grep']),
      path: z.string().min(1),
      content: z.string().optional(),
      search: z.string().optional(),
      replace: z.string().optional(),
      pattern: z.string().optional(),
    }),
  }),
  z.strictObject({
    tool: z.literal('browser'),
    args: z.strictObject({ op: z.enum(['open', 'click', 'type', 'extract', 'screenshot']), url: z.string().optional(), selector: z.string().optional(), text: z.string().optional() }),
  }),
  z.strictObject({ tool: z.literal('database'), args: z.strictObject({ connection: z.string().min(1), sql: z.string().min(1) }) }),
]);

/** A call of an MCP server's tool: `mcp:<server>/<tool>` with the tool's own arguments. */
export const MCP_TOOL = /^mcp:([A-Za-z0-9_-]{1,32})\/([A-Za-z0-9_.:-]{1,64})$/;
export const mcpToolCall = z.strictObject({ tool: z.custom<`mcp:${string}`>((v) => typeof v === 'string' && MCP_TOOL.test(v), 'an MCP tool is mcp:<server>/<tool>'), args: z.record(z.string(), z.unknown()) });
export type McpToolCall = z.infer<typeof mcpToolCall>;

export const toolCall = z.union([builtinToolCall, mcpToolCall]);
export type ToolCall = z.infer<typeof toolCall>;

export type BuiltinToolCall = z.infer<typeof builtinToolCall>;

export function isMcpCall(call: ToolCall): call is McpToolCall {
  return call.tool.startsWith('mcp:');
}

export interface PolicyContext {
  /** Absolute workspace root (already a real path when the registry checks). */
  workspace: string;
  home: string;
  /** Absolute paths no agent may write: the project dir (.vloop), the policy file and .git. */
  protectedPaths: string[];
  /** Absolute paths no tool may read or write, whatever the rules say: the harness directory (token, keys, store, logs) and the policy file. */
  hiddenPaths?: string[];
  /** Maps a lexical path to the path to judge (the registry passes realpath resolution). */
  realpath?: (p: string) => string;
  /** Whether terminal commands run under the OS sandbox; without it the policy is stricter. */
  sandboxed?: boolean;
  /** The harness's and Temporal's listening ports: no browser rule opens them, on any host. */
  reservedPorts?: number[];
}

export type SqlKind = 'read' | 'write' | 'ddl';
export type SqlDialect = 'sqlite' | 'postgres';
export interface SqlStatement {
  /** The parser's name for the statement (`SelectStmt`, `insert_stmt` …). */
  type: string;
  kind: SqlKind;
  /** Why it is stricter than its statement type suggests (a side-effecting function …). */
  why?: string;
  /** Set when it reaches past the declared database: another file, a server file, a program, a library. */
  outside?: string;
}
export interface SqlFacts {
  dialect: SqlDialect;
  statements: SqlStatement[];
  /** Set when the dialect's parser does not accept the text. */
  unparsed?: string;
}

/** What the parsers read from the call, for the tools that need it. */
export interface JudgeFacts {
  shell?: ShellFacts;
  sql?: SqlFacts;
}

/** One rule or fact that applies to a call, as the dry run lists them. */
export interface PolicyReason {
  decision: PolicyAction;
  rule: string;
  reason: string;
}

export interface PolicyDecision extends PolicyReason {
  /** Terminal: every reason that applies (each command of a list, each path, the network), strictest first; the first decided. */
  reasons?: PolicyReason[];
  /** Terminal: whether the command may use the network (allow, or ask answered by a person). */
  network?: PolicyAction;
  /** Database: the statement kind, so a read runs read-only at the engine. */
  sqlKind?: SqlKind;
}

/** POSIX path normalisation, pure (core/ has no node:path). */
export function normalizePath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `${abs ? '/' : ''}${out.join('/')}` || (abs ? '/' : '.');
}

export function resolveToolPath(ctx: PolicyContext, p: string): string {
  const expanded = p === '~' || p.startsWith('~/') ? ctx.home + p.slice(1) : p;
  const lexical = normalizePath(expanded.startsWith('/') ? expanded : `${ctx.workspace}/${expanded}`);
  return ctx.realpath ? ctx.realpath(lexical) : lexical;
}

/** Inside means equal to the root or below it: `/ws-evil` is not inside `/ws`. */
export function isInside(root: string, p: string): boolean {
  const r = root.endsWith('/') && root !== '/' ? root.slice(0, -1) : root;
  return p === r || p.startsWith(r === '/' ? '/' : `${r}/`);
}

function strictest(decisions: PolicyDecision[]): PolicyDecision {
  return decisions.reduce((a, b) => (ORDER[b.decision] > ORDER[a.decision] ? b : a));
}

/** The deciding reason first, then the others strictest first, each once. */
export function everyReason(decided: PolicyReason, all: PolicyReason[]): PolicyReason[] {
  const seen = new Set<string>();
  const out: PolicyReason[] = [];
  for (const r of [decided, ...[...all].sort((a, b) => ORDER[b.decision] - ORDER[a.decision])]) {
    const key = `${r.rule}\n${r.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ decision: r.decision, rule: r.rule, reason: r.reason });
  }
  return out;
}

function ruleName(policy: Policy, rule: PolicyRule): string {
  return rule.id ?? `rules[${policy.rules.indexOf(rule)}]`;
}

/** The user rules for this tool that match, as decisions; undefined when none does. */
function userRules(policy: Policy, tool: string, op: string | undefined, test: (m: NonNullable<PolicyRule['match']>) => boolean, actions: PolicyAction[] = ['allow', 'ask', 'deny']): PolicyDecision | undefined {
  const hits = policy.rules.filter((r) => actions.includes(r.action) && (r.tool === tool || r.tool === '*' || (op && r.tool === `${tool}.${op}`)) && (!r.match?.op || r.match.op === op) && test(r.match ?? {}));
  if (!hits.length) return undefined;
  return strictest(hits.map((r) => ({ decision: r.action, rule: ruleName(policy, r), reason: r.description ?? `rule ${ruleName(policy, r)}` })));
}

/** The built-in guard every tool shares: the harness directory and outside the workspace are denied, and so (unless only writes are) are protected paths. */
/**
 * Whether a path is git's, at any depth: a `.git` directory or file of the workspace's own repository,
 * a nested one, or one not made yet. The user's own git runs the hooks and config found there.
 */
export function isGitPath(workspace: string, p: string): boolean {
  return isInside(workspace, p) && p.slice(workspace.length).split('/').includes('.git');
}

export function guardPath(ctx: PolicyContext, raw: string, what: string, o: { protectedToo?: boolean } = {}): { path: string; denied?: PolicyDecision } {
  const p = resolveToolPath(ctx, raw);
  if (ctx.hiddenPaths?.some((q) => isInside(q, p))) return { path: p, denied: { decision: 'deny', rule: 'builtin:harness-dir', reason: `${what} is in the harness directory or is the policy file: no tool reads or writes it` } };
  if (!isInside(ctx.workspace, p)) return { path: p, denied: { decision: 'deny', rule: 'builtin:outside-workspace', reason: `${what} resolves to ${p}, outside the workspace ${ctx.workspace}` } };
  if ((o.protectedToo ?? true) && (ctx.protectedPaths.some((q) => isInside(q, p)) || isGitPath(ctx.workspace, p))) return { path: p, denied: { decision: 'deny', rule: 'builtin:protected-path', reason: `${what} is protected (the harness directory, the policy file or git's hooks and config)` } };
  return { path: p };
}

function judgePath(policy: Policy, ctx: PolicyContext, raw: string, op: string, writes: boolean): PolicyDecision {
  const { path: p, denied } = guardPath(ctx, raw, raw, { protectedToo: writes });
  if (denied) return denied;
  const rel = p === ctx.workspace ? '.' : p.slice(ctx.workspace.length + 1);
  const hit = userRules(policy, 'filesystem', op, (m) => !m.path || globMatches(m.path, rel, 'path') || globMatches(m.path, p, 'path'));
  if (hit) return hit;
  return writes ? { decision: 'ask', rule: 'default:write-asks', reason: `writing ${rel} needs approval` } : { decision: 'allow', rule: 'default:read-in-workspace', reason: `reading ${rel} inside the workspace` };
}

const DEVICES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin', '/dev/tty', '/dev/zero', '/dev/random', '/dev/urandom']);
/** Variables that decide which program runs or what it loads: assigning them makes every command code. */
const CODE_VARIABLES = /^(PATH|IFS|ENV|BASH_ENV|CDPATH|GLOBIGNORE|PROMPT_COMMAND|PS4|SHELLOPTS|BASHOPTS|PAGER|EDITOR|VISUAL|LESSOPEN|LESSCLOSE|LD_[A-Z_]+|BASH_[A-Z_]+|GIT_[A-Z_]+|NODE_[A-Z_]+|PYTHON[A-Z_]*|PERL[A-Z_0-9]*|RUBY[A-Z_]*|GCONV_PATH|HOSTALIASES|MANPAGER|SYSTEMD_PAGER|NPM_CONFIG_[A-Z_]+|npm_config_[a-z_]+)$/;

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function isExact(pattern: string): boolean {
  return !/[*?]/.test(pattern);
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
    return { decision: 'ask', rule: 'builtin:unknown-word', reason: `${program}: ${w.text} is known only at run time (${w.unknown})` };
  }
  // Every word may name a file: bare words resolve inside the workspace, so for them only the protected paths matter.
  for (const candidate of pathCandidates(w.value)) {
    if (DEVICES.has(candidate)) continue;
    const { denied } = guardPath(ctx, candidate, `${program}: ${candidate}`);
    if (denied) return denied;
  }
  return undefined;
}

/** What a `network` rule's `match.url` names: `host`, `host:port`, `*.example.com:443`, `[::1]:8080`, or a URL (`https://host` is port 443). */
export interface HostPattern {
  /** Whether a (normalised) host fits the pattern's host part. */
  host: { test(host: string): boolean };
  /** The host when the pattern has no wildcard in it. */
  exact?: string;
  /** Undefined: any port. */
  port?: number;
}

const SCHEME_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, ftp: 21 };

/** A host as written in a URL or an authority, in the one form rules and the proxy compare: lower case, no brackets, no trailing dot. */
export function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

export function hostPattern(text: string): HostPattern {
  const t = text.trim();
  // A bare IPv6 address (more than one colon, no brackets) is all host.
  const m = (t.match(/:/g) ?? []).length > 1 && !t.includes('[') && !t.includes('://') ? undefined : /^(?:([a-z][a-z0-9+.-]*):\/\/)?(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d{1,5}|\*))?(?:[/?#].*)?$/i.exec(t);
  const host = normalizeHost(m ? m[2]! : t);
  const port = m?.[3] && m[3] !== '*' ? Number(m[3]) : m?.[1] && !m[3] ? SCHEME_PORTS[m[1].toLowerCase()] : undefined;
  return { host: { test: globMatcher(host, 'text') }, ...(isExact(host) ? { exact: host } : {}), ...(port !== undefined ? { port } : {}) };
}

/**
 * A browser rule's `match.url` against a request: `host` (any port), `host:port`, `host:*`, or
 * `scheme://host[:port]/…` (the scheme must match, ws counting as http and wss as https; without a
 * port, the scheme's own). The path is not compared. The harness's ports are refused before any rule.
 */
function browserRuleFits(pattern: string, scheme: string, host: string, port: number): boolean {
  const p = hostPattern(pattern);
  const web = (s: string) => ({ ws: 'http', wss: 'https' })[s.toLowerCase()] ?? s.toLowerCase();
  const written = /^([a-z][a-z0-9+.-]*):\/\//i.exec(pattern.trim())?.[1];
  if (written && web(written) !== web(scheme)) return false;
  return (p.port === undefined || p.port === port) && p.host.test(host);
}

/** The rules that speak about network destinations: `network` rules, and the browser's allow-list. */
function hostRules(policy: Policy, host: string, port: number | undefined): PolicyRule[] {
  return policy.rules.filter((r) => {
    if (r.tool !== 'network' && !(r.tool === 'browser' && r.action === 'allow')) return false;
    if (!r.match?.url) return true;
    const p = hostPattern(r.match.url);
    // With the port unknown (read from command text), a rule for one port may allow (the proxy then holds the port) but not deny or ask.
    const portFits = p.port === undefined || (port === undefined ? r.action === 'allow' : p.port === port);
    return portFits && p.host.test(host);
  });
}

/** Whether an allow rule names this host without a wildcard: only that opens loopback, link-local or this machine's addresses to the proxy. */
export function namesHostExactly(policy: Policy, rawHost: string, port: number): boolean {
  const host = normalizeHost(rawHost);
  return hostRules(policy, host, port).some((r) => r.action === 'allow' && r.match?.url !== undefined && hostPattern(r.match.url).exact === host);
}

/**
 * A host (and port, when known) is judged by `network` rules, then the browser's allow-list, then the
 * policy's network setting. The judge calls it with what the command text names; the network proxy
 * calls it for every connection, where the port is always known.
 */
export function judgeHost(policy: Policy, rawHost: string | undefined, port?: number): PolicyDecision {
  const host = rawHost === undefined ? undefined : normalizeHost(rawHost);
  if (host !== undefined) {
    const rules = hostRules(policy, host, port);
    const where = port === undefined ? host : `${host}:${port}`;
    if (rules.length) return strictest(rules.map((r) => ({ decision: r.action, rule: ruleName(policy, r), reason: r.description ?? `${where} by rule ${ruleName(policy, r)}` })));
  }
  const what = host === undefined ? 'a host the judge cannot read' : port === undefined ? host : `${host}:${port}`;
  if (policy.network === 'allow') return { decision: 'allow', rule: 'setting:network-allow', reason: `network reach to ${what}` };
  if (policy.network === 'deny') return { decision: 'deny', rule: 'setting:network-deny', reason: `the policy denies network reach (${what})` };
  return { decision: 'ask', rule: host === undefined ? 'builtin:network-host-unknown' : 'setting:network-ask', reason: `reaching ${what} over the network needs approval` };
}

function judgeTerminal(policy: Policy, ctx: PolicyContext, shell: ShellFacts): PolicyDecision {
  if (shell.unparseable) return { decision: 'deny', rule: 'builtin:unreadable-command', reason: `bash would not accept this command: ${shell.unparseable}` };
  const decisions: PolicyDecision[] = [];
  const network: PolicyDecision[] = [];
  /** Programs that neither only read nor were judged as network commands: the open network would be theirs too. */
  const local: string[] = [];
  const reads = (op: string) => op === '<' || op === '<&' || op === '<<<';
  for (const r of shell.redirects) {
    const target = r.target;
    // Reading a protected file is denied like writing one; a read rule never allows the write of `>` or `<>`.
    const guarded = judgeWord(ctx, `a redirect ${r.op}`, target);
    if (guarded) decisions.push(guarded);
    if (target.value !== undefined && !DEVICES.has(target.value) && r.op !== '<<<') decisions.push(judgePath(policy, ctx, target.value, reads(r.op) ? 'read' : 'write', !reads(r.op)));
  }
  for (const reason of shell.opaque) decisions.push({ decision: 'ask', rule: 'builtin:code-carrying', reason });
  for (const name of new Set(shell.assigned)) {
    if (CODE_VARIABLES.test(name)) decisions.push({ decision: 'ask', rule: 'builtin:code-carrying', reason: `the command assigns ${name}, which changes what programs run` });
  }
  const exactAllow = (text: string) => policy.rules.find((r) => r.tool === 'terminal' && r.action === 'allow' && r.match?.command !== undefined && isExact(r.match.command) && r.match.command === text);
  let readOnly = shell.redirects.every((r) => reads(r.op) || (r.target.value !== undefined && DEVICES.has(r.target.value)));
  for (const cmd of shell.commands) {
    const [first, ...args] = cmd.words;
    if (!first) continue;
    if (first.value === undefined) {
      decisions.push({ decision: 'ask', rule: 'builtin:unknown-word', reason: `the command name ${first.text} is known only at run time (${first.unknown})` });
      readOnly = false;
      for (const w of [...cmd.wrapperWords, ...args]) {
        const d = judgeWord(ctx, first.text, w);
        if (d) decisions.push(d);
      }
      continue;
    }
    const program = basename(first.value);
    // The program too, where it lies in the workspace: `.vloop/bin/x` or a symlink into it is a path like any other.
    const inWorkspace = isInside(ctx.workspace, resolveToolPath(ctx, first.value));
    for (const w of [...cmd.wrapperWords.slice(1), ...(inWorkspace ? [first] : []), ...args]) {
      const d = judgeWord(ctx, program, w);
      if (d) decisions.push(d);
    }
    // `cd` alone goes home; `cd -` goes back to a directory the judge does not know.
    if ((program === 'cd' || program === 'pushd') && !args.some((a) => a.value !== undefined && !a.value.startsWith('-'))) {
      decisions.push(args.some((a) => a.value === '-') ? { decision: 'ask', rule: 'builtin:unknown-word', reason: `${program} - returns to a directory known only at run time` } : judgePath(policy, ctx, ctx.home, 'read', false));
    }
    const known = args.every((a) => a.value !== undefined);
    const values = args.map((a) => a.value ?? a.text);
    // `./cat` or `/tmp/x/cat` is another program than the `cat` a rule names: rules see the name as written.
    const text = [first.value, ...values].join(' ');
    const code = cmd.wrappers.length ? `${cmd.wrappers[0]} runs another program` : codeCarrying(program, values, [...cmd.assigns, ...shell.assigned]) ?? (cmd.assigns.find((a) => CODE_VARIABLES.test(a)) ? `${program} runs with ${cmd.assigns.find((a) => CODE_VARIABLES.test(a))} changed` : undefined);
    const fullText = [...cmd.wrapperWords.map((w) => w.value ?? w.text), ...cmd.words.map((w) => w.value ?? w.text)].join(' ');
    const exact = known ? exactAllow(fullText) : undefined;
    if (code && !exact) decisions.push({ decision: 'ask', rule: 'builtin:code-carrying', reason: `${code}; only a rule naming this exact command allows it` });
    if (reachesNetwork(program, values)) {
      const hosts = networkHosts(program, values);
      for (const d of hosts.length ? hosts.map((h) => judgeHost(policy, h)) : [judgeHost(policy, undefined)]) network.push(d);
    } else if (!readOnlyCommand(program, values)) local.push(program);
    const matches = (m: NonNullable<PolicyRule['match']>) => !m.command || globMatches(m.command, text, 'text') || globMatches(m.command, fullText, 'text') || (known && globMatches(m.command, first.value!, 'text'));
    // Where a rule names this exact command it decides, unless a deny or ask rule matches too.
    const hit = exact ? userRules(policy, 'terminal', undefined, matches, ['deny', 'ask']) ?? { decision: 'allow' as const, rule: ruleName(policy, exact), reason: exact.description ?? `rule ${ruleName(policy, exact)} names this exact command` } : known ? userRules(policy, 'terminal', undefined, matches) : userRules(policy, 'terminal', undefined, matches, ['deny', 'ask']);
    decisions.push(hit ?? { decision: 'ask', rule: 'default:terminal-asks', reason: `running ${program} needs approval` });
    if (!readOnlyCommand(program, values) || code) readOnly = false;
  }
  if (!decisions.length && !network.length) return { decision: 'deny', rule: 'builtin:empty-command', reason: 'no command to run' };
  let net = network.length ? strictest(network) : undefined;
  // The sandbox opens the network to the whole command, not one program: only a command whose other parts only read may have it unasked.
  if (net?.decision === 'allow' && policy.network !== 'allow' && local.length) net = { decision: 'ask', rule: 'builtin:network-shared', reason: `the network would be open to ${[...new Set(local)].join(', ')} as well` };
  if (net) decisions.push(net);
  // Every host's verdict is listed, not only the strictest one that decided the network.
  const considered = [...decisions, ...network];
  let decision = strictest(decisions);
  // Without the OS sandbox nothing confines a command's writes or its network, nor keeps a recursive
  // read (grep -r, find, tar c) out of a harness directory that lies inside the workspace: those ask.
  const hiddenInside = (ctx.hiddenPaths ?? []).some((h) => isInside(ctx.workspace, h));
  if (!ctx.sandboxed && decision.decision === 'allow' && (!readOnly || net || hiddenInside)) {
    const why = net ? 'network reach' : !readOnly ? 'a command that may write' : 'a read that could reach the harness directory inside the workspace';
    decision = { decision: 'ask', rule: 'builtin:no-sandbox', reason: `the terminal runs without its OS sandbox here, so ${why} needs approval` };
  }
  const networkVerdict: PolicyAction | undefined = policy.network === 'allow' && ctx.sandboxed ? 'allow' : net && !ctx.sandboxed && net.decision === 'allow' ? 'ask' : net?.decision;
  return { ...decision, reasons: everyReason(decision, considered), ...(networkVerdict ? { network: networkVerdict } : {}) };
}

function judgeDatabase(policy: Policy, connection: string, sql: SqlFacts | undefined): PolicyDecision {
  const conn = policy.connections[connection];
  if (!conn) return { decision: 'deny', rule: 'builtin:unknown-connection', reason: `connection '${connection}' is not named in the policy` };
  if (!sql) return { decision: 'deny', rule: 'builtin:not-judged', reason: 'the statement was not read by a SQL parser' };
  if (sql.unparsed) return { decision: 'ask', rule: 'builtin:sql-unparsed', reason: `the ${sql.dialect} parser does not accept it: ${sql.unparsed}` };
  const order: Record<SqlKind, number> = { read: 0, write: 1, ddl: 2 };
  const worst = sql.statements.reduce((a, b) => (order[b.kind] > order[a.kind] ? b : a));
  const kind = worst.kind;
  const why = worst.why ? ` (${worst.why})` : '';
  if (kind !== 'read' && !conn.write) return { decision: 'deny', rule: 'builtin:read-only-connection', reason: `connection '${connection}' is read-only; this is a ${kind} statement${why}`, sqlKind: kind };
  // A connection is one database: no rule lets a statement open another file, run a program or load code.
  const outside = sql.statements.find((st) => st.outside);
  if (outside) return { decision: 'deny', rule: 'builtin:outside-connection', reason: `${outside.outside}; a connection reaches only the database the policy declares`, sqlKind: kind };
  const hit = userRules(policy, 'database', kind, (m) => (!m.sql || m.sql === kind) && (!m.connection || m.connection === connection));
  const decision = hit ?? (kind === 'read' ? { decision: 'allow' as const, rule: 'default:read-allowed', reason: 'a read on a named connection' } : { decision: 'ask' as const, rule: 'default:write-asks', reason: `a ${kind} statement${why} needs approval` });
  return { ...decision, sqlKind: kind };
}

/** Every string inside an MCP call's arguments, with where it sits (`path`, `paths[1]` …). */
function argumentStrings(value: unknown, at: string, out: Array<[string, string]>): Array<[string, string]> {
  if (typeof value === 'string') out.push([at, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => argumentStrings(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) argumentStrings(v, at ? `${at}.${k}` : k, out);
  return out;
}

/**
 * An MCP tool call: the server must be declared; string arguments that name paths are judged by the
 * workspace guard before the server sees them; rules name `mcp:<server>/<tool>` (globs) and may
 * match arguments; with no rule, the call asks.
 */
function judgeMcp(policy: Policy, ctx: PolicyContext, call: McpToolCall): PolicyDecision {
  const [, server] = MCP_TOOL.exec(call.tool)!;
  const spec = policy.mcpServers[server!];
  if (!spec) return { decision: 'deny', rule: 'builtin:unknown-mcp-server', reason: `MCP server '${server}' is not declared in the policy` };
  if (spec.pathArguments) {
    for (const [at, value] of argumentStrings(call.args, '', [])) {
      const candidate = fileUrlPath(value) ?? (looksLikePath(value) || value.startsWith('.') ? value : undefined);
      if (candidate === undefined) continue;
      const { denied } = guardPath(ctx, candidate, `${call.tool}: ${at} = ${value}`);
      if (denied) return denied;
    }
  }
  const hits = policy.rules.filter(
    (r) =>
      (r.tool === '*' || (r.tool.startsWith('mcp:') && globMatches(r.tool, call.tool, 'text'))) &&
      Object.entries(r.match?.arguments ?? {}).every(([k, glob]) => k in call.args && globMatches(glob, typeof call.args[k] === 'string' ? (call.args[k] as string) : JSON.stringify(call.args[k]), 'text')),
  );
  if (hits.length) return strictest(hits.map((r) => ({ decision: r.action, rule: ruleName(policy, r), reason: r.description ?? `rule ${ruleName(policy, r)}` })));
  return { decision: 'ask', rule: 'default:mcp-asks', reason: `calling ${call.tool} needs approval` };
}

/**
 * Decide one tool call. Pure: terminal commands and SQL come already read by real parsers
 * (`facts`); the judge activity, the registry (right before running, with real paths) and the API's
 * dry run all call it the same way.
 */
export function evaluatePolicy(policy: Policy, call: ToolCall, ctx: PolicyContext, facts: JudgeFacts = {}): PolicyDecision {
  if (isMcpCall(call)) return judgeMcp(policy, ctx, call);
  switch (call.tool) {
    case 'filesystem': {
      const writes = call.args.op === 'write' || call.args.op === 'edit';
      return judgePath(policy, ctx, call.args.path, call.args.op, writes);
    }
    case 'terminal':
      if (!facts.shell) return { decision: 'deny', rule: 'builtin:not-judged', reason: 'the command was not read by the shell parser' };
      return judgeTerminal(policy, ctx, facts.shell);
    case 'browser': {
      if (!call.args.url) return userRules(policy, 'browser', call.args.op, () => true) ?? { decision: 'allow', rule: 'default:same-page', reason: `${call.args.op} on the open page` };
      let url: URL;
      try {
        url = new URL(call.args.url);
      } catch {
        return { decision: 'deny', rule: 'builtin:bad-url', reason: `not a URL: ${call.args.url}` };
      }
      // ws(s) is judged too: the browser tool asks for every request a page makes, WebSockets included.
      if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return { decision: 'deny', rule: 'builtin:scheme', reason: `only http(s) may be opened, not ${url.protocol}` };
      const scheme = url.protocol.slice(0, -1);
      const host = normalizeHost(url.hostname);
      const port = Number(url.port || SCHEME_PORTS[scheme]);
      // A name can resolve to this machine, so the harness's ports are refused on every host.
      if (ctx.reservedPorts?.includes(port)) return { decision: 'deny', rule: 'builtin:harness-port', reason: `port ${port} is the harness's or Temporal's own; no tool may reach it` };
      return (
        userRules(policy, 'browser', call.args.op, (m) => !m.url || browserRuleFits(m.url, scheme, host, port)) ?? {
          decision: 'deny',
          rule: 'default:host-not-allowed',
          reason: `${host}:${port} is not a host and port the policy allows`,
        }
      );
    }
    case 'database':
      return judgeDatabase(policy, call.args.connection, facts.sql);
  }
}

/**
 * The shape a `remember: run` approval covers: same tool and program / directory / connection.
 * A command with code, unknown words or network reach is remembered only as that exact command.
 */
export function callShape(call: ToolCall, facts: JudgeFacts, decision: PolicyDecision): string {
  if (isMcpCall(call)) return call.tool;
  switch (call.tool) {
    case 'terminal':
      if (['builtin:code-carrying', 'builtin:unknown-word', 'builtin:network-host-unknown', 'setting:network-ask', 'builtin:no-sandbox'].includes(decision.rule) || decision.network) return `terminal:exact:${call.args.command}`;
      return `terminal:${(facts.shell?.commands ?? []).map((c) => c.words[0]?.value ?? '?').join('|')}`;
    case 'filesystem':
      return `filesystem:${call.args.op}:${call.args.path.split('/').slice(0, -1).join('/')}`;
    case 'database':
      return `database:${call.args.connection}:${decision.sqlKind ?? `exact:${call.args.sql}`}`;
    case 'browser':
      return `browser:${call.args.op}:${call.args.url ? new URL(call.args.url).hostname : ''}`;
  }
}
