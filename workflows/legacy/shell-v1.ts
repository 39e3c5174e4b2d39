// FROZEN (see policy-v1.ts): a small, quote-aware reading of a shell command line: every command it would run (chains, pipes,
// $(...), backticks, newlines, `bash -c '...'`, eval), and every file it would redirect into.
// Anything it cannot read with certainty is reported as unparseable, and policy denies it.

export interface ShellCommand {
  /** The command as written, wrappers (sudo, env, timeout …) and leading assignments removed. */
  text: string;
  /** Program name without its directory (`/usr/bin/curl` -> `curl`). */
  program: string;
  args: string[];
}

export interface ShellRedirect {
  op: '>' | '>>' | '<' | '&>';
  target: string;
}

export interface ShellReading {
  commands: ShellCommand[];
  redirects: ShellRedirect[];
  /** Set when the line cannot be read with certainty (unbalanced quotes, heredocs, …). */
  unparseable?: string;
}

const WRAPPERS = new Set([
  'sudo',
  'env',
  'nohup',
  'nice',
  'time',
  'command',
  'exec',
  'builtin',
  'xargs',
  'stdbuf',
  'setsid',
  'doas',
]);
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'fish']);

interface Word {
  value: string;
  raw: string;
}

class ParseError extends Error {}

/** Split one line into simple commands (as word lists), collecting substitutions to read separately. */
function lex(line: string, nested: string[]): Array<{ words: Word[]; redirects: ShellRedirect[] }> {
  const commands: Array<{ words: Word[]; redirects: ShellRedirect[] }> = [];
  let words: Word[] = [];
  let redirects: ShellRedirect[] = [];
  let cur = '';
  let raw = '';
  let inWord = false;
  let pendingRedirect: ShellRedirect['op'] | undefined;

  const endWord = () => {
    if (!inWord) return;
    if (pendingRedirect) {
      redirects.push({ op: pendingRedirect, target: cur });
      pendingRedirect = undefined;
    } else words.push({ value: cur, raw });
    cur = '';
    raw = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (pendingRedirect) throw new ParseError(`a redirect '${pendingRedirect}' has no target`);
    if (words.length || redirects.length) commands.push({ words, redirects });
    words = [];
    redirects = [];
  };
  /** Read a $( … ) body starting after "$(", honouring nesting and quotes; returns the index after ")". */
  const readSubstitution = (start: number): number => {
    let depth = 1;
    let i = start;
    let quote: string | undefined;
    while (i < line.length) {
      const ch = line[i]!;
      if (quote) {
        if (ch === '\\' && quote === '"') i++;
        else if (ch === quote) quote = undefined;
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (ch === '\\') i++;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) {
        nested.push(line.slice(start, i));
        return i + 1;
      }
      i++;
    }
    throw new ParseError('an unclosed $(');
  };
  const readBacktick = (start: number): number => {
    const end = line.indexOf('`', start);
    if (end < 0) throw new ParseError('an unclosed backtick');
    nested.push(line.slice(start, end));
    return end + 1;
  };

  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    const next = line[i + 1];
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ParseError('an unclosed single quote');
      cur += line.slice(i + 1, end);
      raw += line.slice(i, end + 1);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      inWord = true;
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) {
          cur += line[j + 1];
          j += 2;
        } else if (line[j] === '$' && line[j + 1] === '(') {
          j = readSubstitution(j + 2);
          cur += '$(…)';
        } else if (line[j] === '`') {
          j = readBacktick(j + 1);
          cur += '`…`';
        } else cur += line[j++];
      }
      if (j >= line.length) throw new ParseError('an unclosed double quote');
      raw += line.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === '\\') {
      if (next === '\n') {
        i += 2;
        continue;
      }
      cur += next ?? '';
      raw += ch + (next ?? '');
      inWord = true;
      i += 2;
      continue;
    }
    if (ch === '$' && next === '(') {
      i = readSubstitution(i + 2);
      cur += '$(…)';
      raw += '$(…)';
      inWord = true;
      continue;
    }
    if (ch === '`') {
      i = readBacktick(i + 1);
      cur += '`…`';
      raw += '`…`';
      inWord = true;
      continue;
    }
    if (ch === '<' && next === '<') throw new ParseError('heredocs are not supported');
    if (ch === '<' && next === '(') {
      i = readSubstitution(i + 2);
      continue;
    }
    if (ch === '>' && next === '(') {
      i = readSubstitution(i + 2);
      continue;
    }
    if (ch === ';' || ch === '\n' || ch === '|' || ch === '&' || ch === '(' || ch === ')' || ch === '{' || ch === '}') {
      if (ch === '&' && next === '>') {
        endWord();
        pendingRedirect = '&>';
        i += line[i + 2] === '>' ? 3 : 2;
        continue;
      }
      if ((ch === '{' || ch === '}') && (inWord || (next !== undefined && !/\s/.test(next)))) {
        cur += ch;
        raw += ch;
        inWord = true;
        i++;
        continue;
      }
      endCommand();
      i += (ch === '|' && next === '|') || (ch === '&' && next === '&') || (ch === ';' && next === ';') ? 2 : 1;
      continue;
    }
    if (ch === '>' || ch === '<') {
      // A leading fd number (2>, 1>>) belongs to the redirect, not to the command.
      if (inWord && /^\d+$/.test(cur)) {
        cur = '';
        raw = '';
        inWord = false;
      } else endWord();
      if (ch === '>' && next === '&') {
        i += 2;
        while (i < line.length && /[\d-]/.test(line[i]!)) i++;
        continue;
      }
      pendingRedirect = ch === '<' ? '<' : next === '>' ? '>>' : '>';
      i += pendingRedirect === '>>' ? 2 : 1;
      if (line[i] === '|') i++;
      continue;
    }
    if (/\s/.test(ch)) {
      endWord();
      i++;
      continue;
    }
    cur += ch;
    raw += ch;
    inWord = true;
    i++;
  }
  endCommand();
  return commands;
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Drop assignments and wrappers so `sudo FOO=1 /usr/bin/curl x` is read as `curl x`. */
function unwrap(words: Word[]): Word[] {
  let rest = words;
  for (;;) {
    const first = rest[0];
    if (!first) return rest;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first.value)) {
      rest = rest.slice(1);
      continue;
    }
    const name = basename(first.value);
    if (!WRAPPERS.has(name) && name !== 'timeout') return rest;
    rest = rest.slice(1);
    // Skip the wrapper's own options and their numeric values (`nice -n 10`, `timeout 5s`).
    while (rest[0] && (rest[0].value.startsWith('-') || /^\d+(\.\d+)?[smhd]?$/.test(rest[0].value)))
      rest = rest.slice(1);
  }
}

/**
 * Read a command line the way a shell would split it.
 * @example readShell("ls; rm -rf ~").commands.map((c) => c.program) // ['ls', 'rm']
 */
export function readShell(line: string, depth = 0): ShellReading {
  if (depth > 8) return { commands: [], redirects: [], unparseable: 'commands nested too deeply' };
  const nested: string[] = [];
  let simple;
  try {
    simple = lex(line, nested);
  } catch (err) {
    return { commands: [], redirects: [], unparseable: (err as Error).message };
  }
  const reading: ShellReading = { commands: [], redirects: [] };
  const absorb = (inner: ShellReading) => {
    reading.commands.push(...inner.commands);
    reading.redirects.push(...inner.redirects);
    if (inner.unparseable) reading.unparseable ??= inner.unparseable;
  };
  for (const cmd of simple) {
    reading.redirects.push(...cmd.redirects);
    const words = unwrap(cmd.words);
    if (!words.length) continue;
    const program = basename(words[0]!.value);
    const args = words.slice(1).map((w) => w.value);
    reading.commands.push({ text: [program, ...words.slice(1).map((w) => w.raw)].join(' '), program, args });
    // A shell given a script, or eval, runs what it is given: read that too.
    if (SHELLS.has(program)) {
      const c = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
      if (c >= 0 && args[c + 1] !== undefined) absorb(readShell(args[c + 1]!, depth + 1));
      else if (args.some((a) => !a.startsWith('-')))
        reading.unparseable ??= `${program} runs a script file the policy cannot read`;
    }
    if (program === 'eval' || program === 'source' || program === '.') {
      if (program === 'eval') absorb(readShell(args.join(' '), depth + 1));
      else reading.unparseable ??= `${program} runs a file the policy cannot read`;
    }
  }
  for (const inner of nested) absorb(readShell(inner, depth + 1));
  return reading;
}
