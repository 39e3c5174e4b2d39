// Globs with one meaning everywhere (policy rules, the filesystem tool): picomatch reads the pattern,
// so `**` spans directories (`src/**/*.ts` matches `src/a.ts`), and RE2 runs it, in time linear in the
// text, because the filesystem tool's patterns come from the model.
import picomatch from 'picomatch/posix.js';
import { RE2JS } from 're2js';

/** `path`: `*` and `?` stop at `/`, `**` spans directories. `text` (commands, hosts, tool names): no separator, `*` spans all. */
export type GlobKind = 'path' | 'text';

// Dotfiles match as any file (a deny rule `secrets/*` reaches `secrets/.key`); a leading `!` never
// turns a rule inside out; extglobs stay literal (RE2 has no lookaround to run them).
const OPTIONS = { dot: true, nonegate: true, noextglob: true, maxLength: 4096 } as const;

// The lookarounds picomatch adds even with `dot`: no `.`/`..` segment, no empty name. The texts judged
// here are normalised paths and words (no such segments), and RE2 has no lookaround, so they go.
const LOOKAROUNDS = ['(?=.)', '(?!(?:^|\\/)\\.{1,2}(?:\\/|$))', '(?!\\.{1,2}(?:\\/|$))', '(?!\\.{0,1}(?:\\/|$))'];

/** Text globs have no separator: `/` is read as a character that cannot occur in a command, a host or JSON. */
const NO_SEPARATOR = '\u0000';

const compiled = new Map<string, RE2JS>();

function compile(glob: string, kind: GlobKind): RE2JS {
  // A backslash and parentheses are characters, as the rules were always read (not an escape, not a group).
  const escaped = glob.replaceAll('\\', '\\\\').replace(/[()]/g, '\\$&');
  const pattern = kind === 'text' ? escaped.replaceAll('/', NO_SEPARATOR) : escaped;
  const source = LOOKAROUNDS.reduce((s, l) => s.split(l).join(''), picomatch.makeRe(pattern, OPTIONS).source);
  // Anything else RE2 cannot run is refused here, never run by a backtracking engine.
  return RE2JS.compile(source, RE2JS.DOTALL);
}

/** Characters that make a pattern more than a literal text. */
const SPECIAL = /[*?[\]{}()!@+\\]/;

/**
 * The common rule shapes need no engine: a text glob `git *` (a literal, then one star) is a prefix,
 * a glob without special characters is the text itself. Undefined: ask the engine.
 */
function plainMatch(glob: string, text: string, kind: GlobKind): boolean | undefined {
  if (!SPECIAL.test(glob)) return glob === text;
  const prefix = glob.slice(0, -1);
  if (kind === 'text' && glob.endsWith('*') && !SPECIAL.test(prefix)) return text.startsWith(prefix);
  return undefined;
}

/** Whether `text` matches `glob`; a pattern RE2 cannot run throws. */
export function globMatches(glob: string, text: string, kind: GlobKind): boolean {
  const plain = plainMatch(glob, text, kind);
  if (plain !== undefined) return plain;
  const key = `${kind}\n${glob}`;
  let re = compiled.get(key);
  if (!re) {
    re = compile(glob, kind);
    // The model writes filesystem patterns: the cache stays small whatever it sends.
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(key, re);
  }
  return re.matches(kind === 'text' && text.includes('/') ? text.replaceAll('/', NO_SEPARATOR) : text);
}

/** A matcher for one glob, checked once (throws when RE2 cannot run it). */
export function globMatcher(glob: string, kind: GlobKind): (text: string) => boolean {
  globMatches(glob, '', kind);
  return (text) => globMatches(glob, text, kind);
}
