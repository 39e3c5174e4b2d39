// Bash's brace expansion on a word read as characters (quoted or not) and expansions: quoted
// characters are never special, alternatives may be empty or nested, `{a..c}` and `{1..9..2}` are
// sequences; it runs before every other expansion, so each field is then expanded on its own.

/** One character of a word (quoted characters are literal), or an expansion bash computes later. */
export type WordToken = { ch: string; quoted: boolean } | { expansion: unknown; quoted?: boolean };

/** At most this many fields from one word; more and the judge asks instead of listing them. */
export const MAX_FIELDS = 256;

const isChar = (t: WordToken | undefined, ch: string): boolean =>
  t !== undefined && 'ch' in t && !t.quoted && t.ch === ch;

/** The fields bash makes of a word; `'too many'` past MAX_FIELDS. */
export function expandBraces(tokens: WordToken[]): WordToken[][] | 'too many' {
  const budget = { left: MAX_FIELDS };
  try {
    return expand(tokens, budget);
  } catch (err) {
    if (err === TOO_MANY) return 'too many';
    throw err;
  }
}

const TOO_MANY = Symbol('too many fields');

function expand(tokens: WordToken[], budget: { left: number }): WordToken[][] {
  for (let open = 0; open < tokens.length; open++) {
    if (!isChar(tokens[open], '{')) continue;
    const { close, commas } = braceAt(tokens, open);
    // `{x}` or a brace bash does not expand: literal, look further on.
    const alternatives =
      close < 0
        ? undefined
        : commas.length
          ? split(tokens, [open, ...commas, close])
          : sequence(tokens.slice(open + 1, close), budget);
    if (!alternatives) continue;
    const head = tokens.slice(0, open);
    const tails = expand(tokens.slice(close + 1), budget);
    const out: WordToken[][] = [];
    for (const alternative of alternatives) {
      for (const middle of expand(alternative, budget)) out.push(...joined(head, middle, tails, budget));
    }
    return out;
  }
  return [tokens];
}

/** The `}` that closes the brace at `open` (-1 when none does) and the commas between them at its own level. */
function braceAt(tokens: WordToken[], open: number): { close: number; commas: number[] } {
  let depth = 0;
  const commas: number[] = [];
  for (let j = open + 1; j < tokens.length; j++) {
    if (isChar(tokens[j], '{')) depth++;
    else if (isChar(tokens[j], '}') && depth === 0) return { close: j, commas };
    else if (isChar(tokens[j], '}')) depth--;
    else if (depth === 0 && isChar(tokens[j], ',')) commas.push(j);
  }
  return { close: -1, commas };
}

/** The tokens between each pair of neighbouring `bounds` (the brace, its commas, its close). */
function split(tokens: WordToken[], bounds: number[]): WordToken[][] {
  return bounds.slice(1).map((at, k) => tokens.slice(bounds[k]! + 1, at));
}

/** `head + middle + tail` for each tail, each one field of the budget. */
function joined(head: WordToken[], middle: WordToken[], tails: WordToken[][], budget: { left: number }): WordToken[][] {
  return tails.map((tail) => {
    if (--budget.left < 0) throw TOO_MANY;
    return [...head, ...middle, ...tail];
  });
}

/** `{1..5}`, `{05..10..2}`, `{a..e}`: the alternatives, or undefined when the text is not a sequence. */
function sequence(inner: WordToken[], budget: { left: number }): WordToken[][] | undefined {
  if (!inner.every((t) => 'ch' in t && !t.quoted)) return undefined;
  const text = inner.map((t) => (t as { ch: string }).ch).join('');
  const m = /^(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, a, b, stepText] = m as unknown as [string, string, string, string | undefined];
  const numeric = /\d/.test(a);
  if (numeric !== /\d/.test(b)) return undefined;
  const from = numeric ? Number(a) : a.charCodeAt(0);
  const to = numeric ? Number(b) : b.charCodeAt(0);
  const step = Math.abs(Number(stepText ?? 1)) || 1;
  const count = Math.floor(Math.abs(to - from) / step) + 1;
  if (count > budget.left) throw TOO_MANY;
  const width = numeric && (/^-?0\d/.test(a) || /^-?0\d/.test(b)) ? Math.max(a.length, b.length) : 0;
  const out: WordToken[][] = [];
  for (let k = 0, v = from; k < count; k++, v += to >= from ? step : -step) {
    const s = numeric
      ? v < 0
        ? `-${String(-v).padStart(width - 1, '0')}`
        : String(v).padStart(width, '0')
      : String.fromCharCode(v);
    out.push([...s].map((ch) => ({ ch, quoted: true })));
  }
  return out;
}
