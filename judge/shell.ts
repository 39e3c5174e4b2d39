// A terminal command as bash would read it, from mvdan/sh's parser (ADR 0011): every simple
// command, in chains, pipes, substitutions, functions, loops, heredocs and `bash -c` scripts, with
// each word computed where bash's expansion is known (literals, quotes, HOME, PWD, the tool env)
// and marked unknown wherever it is not.
import sh, { type ShNode } from 'mvdan-sh';
import { expandBraces, type WordToken } from './braces.js';
import {
  SHELLS,
  WRAPPERS,
  type ShellCommand,
  type ShellFacts,
  type ShellRedirect,
  type ShellWord,
} from '../core/shell-facts.js';

const { syntax } = sh;
const parser = syntax.NewParser(syntax.Variant(syntax.LangBash));
const REDIRECT_OPS: Record<number, string> = {
  54: '>',
  55: '>>',
  56: '<',
  57: '<>',
  58: '<&',
  59: '>&',
  60: '>|',
  61: '<<',
  62: '<<-',
  63: '<<<',
  64: '&>',
  65: '&>>',
};
/** Builtins that assign the variables named in their arguments. */
const ASSIGNERS = new Set([
  'read',
  'mapfile',
  'readarray',
  'printf',
  'getopts',
  'declare',
  'typeset',
  'local',
  'export',
  'readonly',
  'let',
  'unset',
  'eval',
  'source',
  '.',
  'set',
  'shift',
  'alias',
  'enable',
  'shopt',
]);
const MAX_DEPTH = 6;
/** A word with more braces than this is not expanded: the judge asks. */
const MAX_BRACES = 512;

export interface ShellEnv {
  /** The variables the command starts with (the terminal tool's environment, HOME and PWD included). */
  vars: Record<string, string>;
}

type Node = ShNode;
const type = (n: Node) => syntax.NodeType(n);
const list = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : []);
const lit = (n: unknown): string => (n as { Value?: string } | null)?.Value ?? '';

function parse(src: string): Node {
  return parser.Parse(src, 'command');
}

function parseError(err: unknown): string {
  const e = err as { Error?: () => string; message?: string };
  return (typeof e.Error === 'function' ? e.Error() : (e.message ?? String(err))).replace(/^command:/, '');
}

/** Names the script may assign anywhere: their values cannot be known from the starting environment. */
function assignedNames(root: Node): Set<string> {
  const names = new Set<string>();
  const tokens = (n: Node) =>
    syntax.Walk(n, (m) => {
      if (m && type(m) === 'Lit') for (const t of lit(m).split(/[^A-Za-z0-9_]+/)) if (t) names.add(t);
      // A variable read ($PATH) is not an assignment of it.
      return !m || type(m) !== 'ParamExp';
    });
  syntax.Walk(root, (n) => {
    if (!n) return true;
    switch (type(n)) {
      case 'Assign':
        if (n.Name) names.add(lit(n.Name));
        break;
      case 'WordIter':
        names.add(lit(n.Name));
        break;
      case 'DeclClause':
      case 'ArithmCmd':
      case 'ArithmExp':
      case 'CStyleLoop':
      case 'LetClause':
        tokens(n);
        break;
      case 'ParamExp':
        if (n.Exp) names.add(lit(n.Param));
        break;
      case 'CallExpr': {
        const first = list(n.Args)[0];
        const name = first ? staticText(first) : undefined;
        if (name && ASSIGNERS.has(name)) for (const a of list(n.Args)) tokens(a);
        if (name === 'cd' || name === 'pushd' || name === 'popd') ['PWD', 'OLDPWD'].forEach((v) => names.add(v));
        break;
      }
    }
    return true;
  });
  return names;
}

/** A word made only of literal parts, as bash reads it; undefined otherwise. */
function staticText(word: Node): string | undefined {
  const parts = list(word.Parts);
  if (parts.length !== 1 || type(parts[0]!) !== 'Lit') return undefined;
  return unescapeUnquoted(lit(parts[0]));
}

function unescapeUnquoted(s: string): string {
  return s
    .replace(/\\\n/g, '')
    .replace(/\\([\s\S])/g, '$1')
    .replace(/\\$/, '');
}

function unescapeDouble(s: string): string {
  return s.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
}

const SPECIAL_PARAM = /^([0-9]+|[@*#?$!-]|_)$/;

class WordReader {
  constructor(
    private readonly vars: Record<string, string>,
    private readonly assigned: Set<string>,
    /** The command text the parser's offsets point into. */
    private readonly source: string,
  ) {}

  /** The single field a variable gives, if it is known and unchanged by the script. */
  private variable(p: Node, quoted: boolean): { value?: string; unknown?: string } {
    const name = lit(p.Param);
    const simple = !p.Excl && !p.Length && !p.Width && !p.Index && !p.Slice && !p.Repl && !p.Names && !p.Exp;
    if (!simple || SPECIAL_PARAM.test(name)) return { unknown: `the expansion \${${name}…} is computed at run time` };
    if (this.assigned.has(name)) return { unknown: `$${name} is assigned by the command itself` };
    const value = this.vars[name];
    if (value === undefined) return { unknown: `$${name} is not set in the tool's environment` };
    // Unquoted, bash would split and glob the value: only a value that stays one plain field is known.
    if (!quoted && (value === '' || /[\s*?[\]{}~]/.test(value)))
      return { unknown: `unquoted $${name} would be split or globbed` };
    return { value };
  }

  read(word: Node): ShellWord {
    const text = this.source.slice(word.Pos().Offset(), word.End().Offset());
    const tokens = this.tokens(word);
    const braces = tokens.filter((t) => 'ch' in t && !t.quoted && t.ch === '{').length;
    if (!braces) return { text, ...this.field(tokens) };
    const fields = braces > MAX_BRACES ? 'too many' : expandBraces(tokens);
    if (fields !== 'too many' && fields.length === 1) return { text, ...this.field(fields[0]!) };
    // Judged by each field bash makes of it; a rule sees it as unknown (or, past the limit, by the literal text before the first brace).
    const first = tokens.findIndex((t) => 'ch' in t && !t.quoted && t.ch === '{');
    const head = this.field([...tokens.slice(0, first), { expansion: 'brace' }]);
    if (fields === 'too many')
      return { text, unknown: 'brace expansion into too many words', prefix: head.prefix ?? '' };
    return {
      text,
      unknown: 'brace expansion',
      prefix: head.prefix ?? '',
      fields: fields.map((f) => ({ text, ...this.field(f) })),
    };
  }

  /** The word as characters (quoted or not) and the expansions bash computes later. */
  private tokens(word: Node): WordToken[] {
    const out: WordToken[] = [];
    for (const part of list(word.Parts)) {
      switch (type(part)) {
        case 'Lit':
          out.push(...unquotedChars(lit(part)));
          break;
        case 'SglQuoted':
          if (part.Dollar && lit(part).includes('\\')) out.push({ expansion: part });
          else out.push(...quotedChars(lit(part)));
          break;
        case 'DblQuoted':
          for (const inner of list(part.Parts))
            out.push(
              ...(type(inner) === 'Lit'
                ? quotedChars(unescapeDouble(lit(inner)))
                : [{ expansion: inner, quoted: true }]),
            );
          break;
        default:
          out.push({ expansion: part });
      }
    }
    return out;
  }

  /** One field after brace expansion: its value, or why it is unknown and the directory it expands under. */
  private field(tokens: WordToken[]): Omit<ShellWord, 'text'> {
    const f = new FieldValue();
    for (const t of tokens.slice(this.tilde(tokens, f))) {
      if ('ch' in t) f.char(t);
      else this.expansion(t, f);
    }
    return f.result();
  }

  /** Tilde expansion at the start of a field: `~`, `~/…`, `~+`; `~user` and `~-` are unknown. Returns where the rest starts. */
  private tilde(tokens: WordToken[], f: FieldValue): number {
    if (!isBare(tokens[0], '~')) return 0;
    let end = 1;
    while (end < tokens.length && !isBare(tokens[end], '/')) end++;
    const rest = tokens.slice(1, end);
    const name = rest.every((t) => 'ch' in t && !t.quoted)
      ? rest.map((t) => (t as { ch: string }).ch).join('')
      : undefined;
    if (name === '') {
      if (this.assigned.has('HOME') || this.vars.HOME === undefined) f.note('a tilde with HOME unknown');
      else f.value += this.vars.HOME;
      return 1;
    }
    if (name === '+' && !this.assigned.has('PWD') && this.vars.PWD) {
      f.value += this.vars.PWD;
      return 2;
    }
    if (name === undefined) return 0;
    f.note(`the tilde expansion ~${name}`);
    return end;
  }

  /** An expansion in a field: a known variable's value, or why the field is unknown. */
  private expansion(t: { expansion: unknown; quoted?: boolean }, f: FieldValue): void {
    const part = t.expansion as Node | string;
    if (typeof part === 'string') f.note('brace expansion');
    else if (type(part) === 'ParamExp') {
      const v = this.variable(part, t.quoted === true);
      if (v.value === undefined) f.note(v.unknown);
      else f.value += v.value;
    } else if (type(part) === 'SglQuoted') f.note("an ANSI-C $'…' string");
    else f.note(describe(part));
  }
}

const isBare = (t: WordToken | undefined, ch: string): boolean =>
  t !== undefined && 'ch' in t && !t.quoted && t.ch === ch;
const quotedChars = (s: string): WordToken[] => [...s].map((ch) => ({ ch, quoted: true }));

/** An unquoted literal's characters: a backslash quotes the next one, and a backslash-newline (a line continuation) goes. */
function unquotedChars(raw: string): WordToken[] {
  const out: WordToken[] = [];
  for (let j = 0; j < raw.length; j++) {
    if (raw[j] !== '\\') out.push({ ch: raw[j]!, quoted: false });
    else if (raw[++j] !== '\n' && raw[j] !== undefined) out.push({ ch: raw[j]!, quoted: true });
  }
  return out;
}

/** A field as it is computed: its text so far, the first reason it cannot be known and where, and where a glob starts. */
class FieldValue {
  value = '';
  unknown: string | undefined;
  unknownAt: number | undefined;
  globAt: number | undefined;

  note(why: string | undefined): void {
    if (this.unknown !== undefined) return;
    this.unknown = why;
    this.unknownAt = this.value.length;
  }

  char(t: { ch: string; quoted: boolean }): void {
    if (!t.quoted && t.ch === '~' && /[=:]$/.test(this.value)) this.note('a tilde after = or :');
    if (!t.quoted && (t.ch === '*' || t.ch === '?' || t.ch === '[')) this.globAt ??= this.value.length;
    this.value += t.ch;
  }

  /** The directory an unknown field expands under: the literal text before `at`, up to its last slash. */
  private under(at: number): string {
    const head = this.value.slice(0, at);
    return head.slice(0, head.lastIndexOf('/') + 1);
  }

  result(): Omit<ShellWord, 'text'> {
    const end = this.value.length;
    if (this.unknown)
      return { unknown: this.unknown, prefix: this.under(Math.min(this.unknownAt ?? end, this.globAt ?? end)) };
    if (this.globAt !== undefined) return { unknown: 'a glob, matched at run time', prefix: this.under(this.globAt) };
    return { value: this.value };
  }
}

function describe(part: Node): string {
  switch (type(part)) {
    case 'CmdSubst':
      return 'command substitution';
    case 'ProcSubst':
      return 'process substitution';
    case 'ArithmExp':
      return 'arithmetic expansion';
    case 'ExtGlob':
      return 'an extended glob';
    default:
      return `a ${type(part)} expansion`;
  }
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

const VALUE_OPTION =
  /^-[ugCDhpTtnrsoa]$|^--(user|group|chdir|preserve-env|kill-after|signal|adjustment|class|classdata|output)$/;
const OPERAND_WRAPPERS = new Set(['flock', 'chroot', 'taskset', 'chrt', 'su', 'runuser']);

/** Take wrappers and their options off (`sudo -n env FOO=1 timeout 5 cmd`), keeping what they run. */
function unwrap(words: ShellWord[]): { words: ShellWord[]; dropped: ShellWord[]; wrappers: string[]; opaque?: string } {
  const wrappers: string[] = [];
  let rest = words;
  for (;;) {
    const first = rest[0];
    const name = first?.value === undefined ? undefined : basename(first.value);
    if (!name || !WRAPPERS.has(name))
      return { words: rest, dropped: words.slice(0, words.length - rest.length), wrappers };
    wrappers.push(name);
    rest = rest.slice(1);
    if (name === 'env' && rest.some((w) => w.value === '-S' || w.value?.startsWith('--split-string')))
      return {
        words: rest,
        dropped: words.slice(0, words.length - rest.length),
        wrappers,
        opaque: 'env -S splits a string into a command',
      };
    if (
      ['su', 'runuser', 'script'].includes(name) &&
      rest.some((w) => w.value === '-c' || w.value?.startsWith('--command') || w.value?.startsWith('--session-command'))
    )
      return {
        words: rest,
        dropped: words.slice(0, words.length - rest.length),
        wrappers,
        opaque: `${name} -c runs shell code`,
      };
    let operand = OPERAND_WRAPPERS.has(name);
    // The wrapper's own options, their values, assignments, and a duration or file operand.
    while (rest[0]?.value !== undefined) {
      const v = rest[0].value;
      if (v === '--') {
        rest = rest.slice(1);
        break;
      }
      if (VALUE_OPTION.test(v)) rest = rest.slice(2);
      else if (v.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(v) || /^\d+(\.\d+)?[smhd]?$/.test(v))
        rest = rest.slice(1);
      else if (operand && rest.length > 1) {
        rest = rest.slice(1);
        operand = false;
      } else break;
    }
  }
}

/**
 * Read a terminal command. `vars` is the environment it will run with.
 * @example readShellCommand('cat $HOME/x', { vars: { HOME: '/home/a' } }).commands[0].words[1].value // '/home/a/x'
 */
export function readShellCommand(command: string, env: ShellEnv, depth = 0): ShellFacts {
  const facts: ShellFacts & { nested?: string[] } = { commands: [], redirects: [], opaque: [], assigned: [] };
  if (depth > MAX_DEPTH) return { ...facts, unparseable: 'commands nested too deeply' };
  // Bounded: past these sizes the judge asks instead of reading (its cost grows with the text).
  if (command.length > MAX_COMMAND)
    return { ...facts, opaque: [`the command is over ${MAX_COMMAND / 1024} KB, too long to judge`] };
  let root: Node;
  try {
    root = parse(command);
  } catch (err) {
    if (err instanceof RangeError) return { ...facts, opaque: ['the command is nested too deeply to judge'] };
    return { ...facts, unparseable: parseError(err) };
  }
  const tooBig = readInto(root, command, env, facts);
  if (tooBig) return { commands: [], redirects: [], assigned: [], opaque: [tooBig] };
  for (const script of facts.nested ?? []) merge(facts, readShellCommand(script, env, depth + 1));
  delete facts.nested;
  return facts;
}

const MAX_COMMAND = 16 * 1024;
const MAX_WORDS = 4000;

/** Read the parsed command into `facts`; why it cannot be judged when it has too many words or is nested too deeply. */
function readInto(
  root: Node,
  command: string,
  env: ShellEnv,
  facts: ShellFacts & { nested?: string[] },
): string | undefined {
  try {
    const walk = new CommandWalk(root, command, env, facts);
    walk.run(root);
    return walk.tooMany ? `the command has over ${MAX_WORDS} words, too many to judge` : undefined;
  } catch (err) {
    if (err instanceof RangeError) return 'the command is nested too deeply to judge';
    throw err;
  }
}
/**
 * The commands, redirects and nested scripts of a parsed command, node by node. Past MAX_WORDS it stops
 * (`tooMany`): it does not throw, since an exception thrown inside the parser's Walk comes back wrapped
 * as "JavaScript error: undefined".
 */
class CommandWalk {
  private readonly reader: WordReader;
  private words = 0;
  tooMany = false;

  constructor(
    root: Node,
    command: string,
    env: ShellEnv,
    private readonly facts: ShellFacts & { nested?: string[] },
  ) {
    const assigned = assignedNames(root);
    facts.assigned.push(...assigned);
    this.reader = new WordReader(env.vars, assigned, command);
    facts.nested = [];
  }

  run(root: Node): void {
    syntax.Walk(root, (n) => {
      if (this.tooMany) return false;
      if (!n) return true;
      const kind = type(n);
      if (kind === 'CallExpr') this.call(n);
      else if (kind === 'DeclClause') this.declaration(n);
      else if (kind === 'TestClause') this.test(n);
      else if (kind === 'Redirect') this.redirect(n);
      return !this.tooMany;
    });
  }

  private call(n: Node): void {
    this.words += list(n.Args).length;
    if (this.words > MAX_WORDS) {
      this.tooMany = true;
      return;
    }
    const all = list(n.Args).map((w) => this.reader.read(w));
    const assigns = list(n.Assigns).map((a) => lit(a.Name));
    if (!all.length) return;
    const { words, dropped, wrappers, opaque } = unwrap(all);
    if (opaque) this.facts.opaque.push(opaque);
    if (!words.length) {
      this.facts.commands.push({ words: all, wrappers: [], wrapperWords: [], assigns });
      return;
    }
    const cmd: ShellCommand = { words, wrappers, wrapperWords: dropped, assigns };
    this.facts.commands.push(cmd);
    inner(cmd, this.facts.nested!, this.facts);
  }

  /** `declare`, `local`, `export` …: judged as a command whose words are its assignments' values (or names). */
  private declaration(n: Node): void {
    const args = list(n.Args).flatMap((a) =>
      a.Value ? [this.reader.read(a.Value as Node)] : a.Name ? [{ text: lit(a.Name), value: lit(a.Name) }] : [],
    );
    this.facts.commands.push({
      words: [{ text: lit(n.Variant), value: lit(n.Variant) }, ...args],
      wrappers: [],
      wrapperWords: [],
      assigns: [],
    });
  }

  /** `[[ … ]]`: a command `[[` with every word inside it. */
  private test(n: Node): void {
    const words: ShellWord[] = [{ text: '[[', value: '[[' }];
    syntax.Walk(n, (m) => {
      if (m && type(m) === 'Word') words.push(this.reader.read(m));
      return m === n || (m !== null && type(m) !== 'Word');
    });
    this.facts.commands.push({ words, wrappers: [], wrapperWords: [], assigns: [] });
  }

  private redirect(n: Node): void {
    const op = REDIRECT_OPS[n.Op as number] ?? '?';
    // A here-document's body is text (its expansions are walked); a here-string's word is judged like any word.
    if (op === '<<' || op === '<<-') return;
    const target = this.reader.read(n.Word as Node);
    // `2>&1`, `<&0`, `>&-`: duplicating a descriptor is not a file.
    if ((op === '>&' || op === '<&') && target.value !== undefined && /^(\d+|-)$/.test(target.value)) return;
    this.facts.redirects.push({ op, target } satisfies ShellRedirect);
  }
}

/** What a shell's `-c` script or `eval` runs is read as commands too; what cannot be read is opaque. */
function inner(cmd: ShellCommand, nested: string[], facts: ShellFacts): void {
  const program = cmd.words[0]!.value === undefined ? undefined : basename(cmd.words[0]!.value);
  const args = cmd.words.slice(1);
  if (program && SHELLS.has(program)) {
    const c = args.findIndex((a) => a.value !== undefined && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a.value));
    if (c >= 0) {
      const script = args[c + 1];
      if (script?.value !== undefined) nested.push(script.value);
      else facts.opaque.push(`${program} -c runs a script the judge cannot compute`);
    } else facts.opaque.push(`${program} runs a script from a file or its input`);
  } else if (program === 'eval') {
    if (args.every((a) => a.value !== undefined)) nested.push(args.map((a) => a.value).join(' '));
    else facts.opaque.push('eval runs text the judge cannot compute');
  } else if (program === 'source' || program === '.') facts.opaque.push(`${program} runs a script file`);
}

function merge(into: ShellFacts, from: ShellFacts): void {
  into.commands.push(...from.commands);
  into.redirects.push(...from.redirects);
  into.opaque.push(...from.opaque);
  into.assigned.push(...from.assigned);
  if (from.unparseable) into.unparseable ??= from.unparseable;
}
