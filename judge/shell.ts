// A terminal command as bash would read it, from mvdan/sh's parser (ADR 0011): every simple
// command, in chains, pipes, substitutions, functions, loops, heredocs and `bash -c` scripts, with
// each word computed where bash's expansion is known (literals, quotes, HOME, PWD, the tool env)
// and marked unknown wherever it is not.
import sh, { type ShNode } from 'mvdan-sh';
import { expandBraces, type WordToken } from './braces.js';
import { SHELLS, WRAPPERS, type ShellCommand, type ShellFacts, type ShellRedirect, type ShellWord } from '../core/shell-facts.js';

const { syntax } = sh;
const parser = syntax.NewParser(syntax.Variant(syntax.LangBash));
const REDIRECT_OPS: Record<number, string> = { 54: '>', 55: '>>', 56: '<', 57: '<>', 58: '<&', 59: '>&', 60: '>|', 61: '<<', 62: '<<-', 63: '<<<', 64: '&>', 65: '&>>' };
/** Builtins that assign the variables named in their arguments. */
const ASSIGNERS = new Set(['read', 'mapfile', 'readarray', 'printf', 'getopts', 'declare', 'typeset', 'local', 'export', 'readonly', 'let', 'unset', 'eval', 'source', '.', 'set', 'shift', 'alias', 'enable', 'shopt']);
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
const lit = (n: unknown): string => ((n as { Value?: string } | null)?.Value ?? '');

function parse(src: string): Node {
  return parser.Parse(src, 'command');
}

function parseError(err: unknown): string {
  const e = err as { Error?: () => string; message?: string };
  return (typeof e.Error === 'function' ? e.Error() : e.message ?? String(err)).replace(/^command:/, '');
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
  return s.replace(/\\\n/g, '').replace(/\\([\s\S])/g, '$1').replace(/\\$/, '');
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
    if (!quoted && (value === '' || /[\s*?[\]{}~]/.test(value))) return { unknown: `unquoted $${name} would be split or globbed` };
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
    if (fields === 'too many') return { text, unknown: 'brace expansion into too many words', prefix: head.prefix ?? '' };
    return { text, unknown: 'brace expansion', prefix: head.prefix ?? '', fields: fields.map((f) => ({ text, ...this.field(f) })) };
  }

  /** The word as characters (quoted or not) and the expansions bash computes later. */
  private tokens(word: Node): WordToken[] {
    const out: WordToken[] = [];
    const chars = (s: string, quoted: boolean) => {
      for (const ch of s) out.push({ ch, quoted });
    };
    for (const part of list(word.Parts)) {
      switch (type(part)) {
        case 'Lit': {
          const raw = lit(part);
          for (let j = 0; j < raw.length; j++) {
            if (raw[j] === '\\') {
              // A backslash-newline is a line continuation: both go.
              if (raw[j + 1] !== '\n' && raw[j + 1] !== undefined) out.push({ ch: raw[j + 1]!, quoted: true });
              j++;
            } else out.push({ ch: raw[j]!, quoted: false });
          }
          break;
        }
        case 'SglQuoted':
          if (part.Dollar && lit(part).includes('\\')) out.push({ expansion: part });
          else chars(lit(part), true);
          break;
        case 'DblQuoted':
          for (const inner of list(part.Parts)) {
            if (type(inner) === 'Lit') chars(unescapeDouble(lit(inner)), true);
            else out.push({ expansion: inner, quoted: true });
          }
          break;
        default:
          out.push({ expansion: part });
      }
    }
    return out;
  }

  /** One field after brace expansion: its value, or why it is unknown and the directory it expands under. */
  private field(tokens: WordToken[]): Omit<ShellWord, 'text'> {
    let value = '';
    let unknown: string | undefined;
    let unknownAt: number | undefined;
    let globAt: number | undefined;
    const note = (why: string | undefined) => {
      if (unknown !== undefined) return;
      unknown = why;
      unknownAt = value.length;
    };
    let start = 0;
    const first = tokens[0];
    if (first && 'ch' in first && !first.quoted && first.ch === '~') {
      // Tilde expansion: `~`, `~/…`, `~+`; `~user` and `~-` are unknown.
      let end = 1;
      while (end < tokens.length && !('ch' in tokens[end]! && !(tokens[end] as { quoted: boolean }).quoted && (tokens[end] as { ch: string }).ch === '/')) end++;
      const rest = tokens.slice(1, end);
      const name = rest.every((t) => 'ch' in t && !t.quoted) ? rest.map((t) => (t as { ch: string }).ch).join('') : undefined;
      if (name === '') {
        if (this.assigned.has('HOME') || this.vars.HOME === undefined) note('a tilde with HOME unknown');
        else value += this.vars.HOME;
        start = 1;
      } else if (name === '+' && !this.assigned.has('PWD') && this.vars.PWD) {
        value += this.vars.PWD;
        start = 2;
      } else if (name !== undefined) {
        note(`the tilde expansion ~${name}`);
        start = end;
      }
    }
    for (let i = start; i < tokens.length; i++) {
      const t = tokens[i]!;
      if ('ch' in t) {
        if (!t.quoted) {
          if (t.ch === '~' && /[=:]$/.test(value)) note('a tilde after = or :');
          if (t.ch === '*' || t.ch === '?' || t.ch === '[') globAt ??= value.length;
        }
        value += t.ch;
        continue;
      }
      const part = t.expansion as Node | string;
      if (typeof part === 'string') note('brace expansion');
      else if (type(part) === 'ParamExp') {
        const v = this.variable(part, t.quoted === true);
        if (v.value === undefined) note(v.unknown);
        else value += v.value;
      } else if (type(part) === 'SglQuoted') note("an ANSI-C $'…' string");
      else note(describe(part));
    }
    const under = (at: number) => {
      const head = value.slice(0, at);
      return head.slice(0, head.lastIndexOf('/') + 1);
    };
    if (unknown) return { unknown, prefix: under(Math.min(unknownAt ?? value.length, globAt ?? value.length)) };
    if (globAt !== undefined) return { unknown: 'a glob, matched at run time', prefix: under(globAt) };
    return { value };
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

const VALUE_OPTION = /^-[ugCDhpTtnrsoa]$|^--(user|group|chdir|preserve-env|kill-after|signal|adjustment|class|classdata|output)$/;
const OPERAND_WRAPPERS = new Set(['flock', 'chroot', 'taskset', 'chrt', 'su', 'runuser']);

/** Take wrappers and their options off (`sudo -n env FOO=1 timeout 5 cmd`), keeping what they run. */
function unwrap(words: ShellWord[]): { words: ShellWord[]; dropped: ShellWord[]; wrappers: string[]; opaque?: string } {
  const wrappers: string[] = [];
  let rest = words;
  for (;;) {
    const first = rest[0];
    const name = first?.value === undefined ? undefined : basename(first.value);
    if (!name || !WRAPPERS.has(name)) return { words: rest, dropped: words.slice(0, words.length - rest.length), wrappers };
    wrappers.push(name);
    rest = rest.slice(1);
    if (name === 'env' && rest.some((w) => w.value === '-S' || w.value?.startsWith('--split-string'))) return { words: rest, dropped: words.slice(0, words.length - rest.length), wrappers, opaque: 'env -S splits a string into a command' };
    if (['su', 'runuser', 'script'].includes(name) && rest.some((w) => w.value === '-c' || w.value?.startsWith('--command') || w.value?.startsWith('--session-command'))) return { words: rest, dropped: words.slice(0, words.length - rest.length), wrappers, opaque: `${name} -c runs shell code` };
    let operand = OPERAND_WRAPPERS.has(name);
    // The wrapper's own options, their values, assignments, and a duration or file operand.
    while (rest[0]?.value !== undefined) {
      const v = rest[0].value;
      if (v === '--') {
        rest = rest.slice(1);
        break;
      }
      if (VALUE_OPTION.test(v)) rest = rest.slice(2);
      else if (v.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(v) || /^\d+(\.\d+)?[smhd]?$/.test(v)) rest = rest.slice(1);
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
  if (command.length > MAX_COMMAND) return { ...facts, opaque: [`the command is over ${MAX_COMMAND / 1024} KB, too long to judge`] };
  let root: Node;
  try {
    root = parse(command);
  } catch (err) {
    if (err instanceof RangeError) return { ...facts, opaque: ['the command is nested too deeply to judge'] };
    return { ...facts, unparseable: parseError(err) };
  }
  try {
    read(root, command, env, facts);
  } catch (err) {
    if (!(err instanceof RangeError) && err !== TOO_MANY_WORDS) throw err;
    return { commands: [], redirects: [], assigned: [], opaque: [err === TOO_MANY_WORDS ? `the command has over ${MAX_WORDS} words, too many to judge` : 'the command is nested too deeply to judge'] };
  }
  for (const script of facts.nested ?? []) merge(facts, readShellCommand(script, env, depth + 1));
  delete facts.nested;
  return facts;
}

const MAX_COMMAND = 16 * 1024;
const MAX_WORDS = 4000;
const TOO_MANY_WORDS = Symbol('too many words');

function read(root: Node, command: string, env: ShellEnv, facts: ShellFacts & { nested?: string[] }): void {
  let wordCount = 0;
  const assigned = assignedNames(root);
  facts.assigned.push(...assigned);
  const reader = new WordReader(env.vars, assigned, command);
  const nested: string[] = [];
  facts.nested = nested;
  syntax.Walk(root, (n) => {
    if (!n) return true;
    switch (type(n)) {
      case 'CallExpr': {
        wordCount += list(n.Args).length;
        if (wordCount > MAX_WORDS) throw TOO_MANY_WORDS;
        const all = list(n.Args).map((w) => reader.read(w));
        const assigns = list(n.Assigns).map((a) => lit(a.Name));
        if (!all.length) break;
        const { words, dropped, wrappers, opaque } = unwrap(all);
        if (opaque) facts.opaque.push(opaque);
        if (!words.length) {
          facts.commands.push({ words: all, wrappers: [], wrapperWords: [], assigns });
          break;
        }
        const cmd: ShellCommand = { words, wrappers, wrapperWords: dropped, assigns };
        facts.commands.push(cmd);
        inner(cmd, nested, facts);
        break;
      }
      case 'DeclClause':
        facts.commands.push({ words: [{ text: lit(n.Variant), value: lit(n.Variant) }, ...list(n.Args).flatMap((a) => (a.Value ? [reader.read(a.Value as Node)] : a.Name ? [{ text: lit(a.Name), value: lit(a.Name) }] : []))], wrappers: [], wrapperWords: [], assigns: [] });
        break;
      case 'TestClause': {
        const words: ShellWord[] = [{ text: '[[', value: '[[' }];
        syntax.Walk(n, (m) => {
          if (m && type(m) === 'Word') words.push(reader.read(m));
          return m === n || (m !== null && type(m) !== 'Word');
        });
        facts.commands.push({ words, wrappers: [], wrapperWords: [], assigns: [] });
        break;
      }
      case 'Redirect': {
        const op = REDIRECT_OPS[n.Op as number] ?? '?';
        // A here-document's body is text (its expansions are walked); a here-string's word is judged like any word.
        if (op === '<<' || op === '<<-') break;
        const target = reader.read(n.Word as Node);
        // `2>&1`, `<&0`, `>&-`: duplicating a descriptor is not a file.
        if ((op === '>&' || op === '<&') && target.value !== undefined && /^(\d+|-)$/.test(target.value)) break;
        facts.redirects.push({ op, target } satisfies ShellRedirect);
        break;
      }
    }
    return true;
  });
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
