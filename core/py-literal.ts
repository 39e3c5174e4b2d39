// Python literals as JSON values: DSPy asks models for "a valid Python list[...]", so answers come as
// ['a', 'b'], (1, 2), {'k': True} or None. Tuples and sets become arrays; nothing is evaluated.

class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  space(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.pos}`);
  }
}

function readString(r: Reader): string {
  const prefix = /^[rRbBuU]{0,2}(?=['"])/.exec(r.text.slice(r.pos))?.[0] ?? '';
  const raw = /r/i.test(prefix);
  r.pos += prefix.length;
  const quote =
    r.text.startsWith("'''", r.pos) || r.text.startsWith('"""', r.pos)
      ? r.text.slice(r.pos, r.pos + 3)
      : r.text[r.pos]!;
  r.pos += quote.length;
  let out = '';
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
  while (!r.text.startsWith(quote, r.pos)) {
    if (r.pos >= r.text.length) r.fail('unterminated string');
    const ch = r.text[r.pos++]!;
    if (ch === '\\' && !raw) {
      const next = r.text[r.pos++] ?? '';
      if (next === 'u' || next === 'x') {
        const len = next === 'u' ? 4 : 2;
        out += String.fromCharCode(parseInt(r.text.slice(r.pos, r.pos + len), 16));
        r.pos += len;
      } else out += escapes[next] ?? `\\${next}`;
    } else out += ch;
  }
  r.pos += quote.length;
  return out;
}

/** Items up to `close`, with an optional trailing comma; dict entries when `pairs`. */
function readItems(r: Reader, close: string): { items: unknown[]; pairs: Array<[unknown, unknown]>; commas: number } {
  const items: unknown[] = [];
  const pairs: Array<[unknown, unknown]> = [];
  let commas = 0;
  for (;;) {
    r.space();
    if (r.text[r.pos] === close) break;
    const value = readValue(r);
    r.space();
    if (r.text[r.pos] === ':') {
      r.pos++;
      pairs.push([value, readValue(r)]);
      r.space();
    } else items.push(value);
    if (r.text[r.pos] === ',') {
      r.pos++;
      commas++;
      continue;
    }
    r.space();
    if (r.text[r.pos] !== close) r.fail(`expected ',' or '${close}'`);
  }
  r.pos++;
  if (items.length && pairs.length) r.fail('a mix of dict entries and set items');
  return { items, pairs, commas };
}

function readValue(r: Reader): unknown {
  r.space();
  const rest = r.text.slice(r.pos);
  if (/^[rRbBuU]{0,2}['"]/.test(rest)) return readString(r);
  const num = /^[-+]?(\d[\d_]*\.?[\d_]*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(rest);
  if (num) {
    r.pos += num[0].length;
    return Number(num[0].replace(/_/g, ''));
  }
  for (const [word, value] of [
    ['True', true],
    ['False', false],
    ['None', null],
    ['true', true],
    ['false', false],
    ['null', null],
  ] as const) {
    if (rest.startsWith(word) && !/^\w/.test(rest.slice(word.length))) {
      r.pos += word.length;
      return value;
    }
  }
  const open = rest[0];
  if (open === '[' || open === '(' || open === '{') {
    r.pos++;
    const { items, pairs, commas } = readItems(r, open === '[' ? ']' : open === '(' ? ')' : '}');
    // (x) is x in Python; (x,) is a tuple.
    if (open === '(' && items.length === 1 && !commas) return items[0];
    if (open === '{' && (pairs.length || !items.length))
      return Object.fromEntries(pairs.map(([k, v]) => [typeof k === 'string' ? k : JSON.stringify(k), v]));
    return items;
  }
  return r.fail('expected a Python literal');
}

/**
 * Read one Python literal (or JSON) as a JSON value; throws SyntaxError when it is not one.
 * @example parsePyLiteral("{'a': (1, 2), 'b': None}") // {a: [1, 2], b: null}
 */
export function parsePyLiteral(text: string): unknown {
  const r = new Reader(text);
  const value = readValue(r);
  r.space();
  if (r.pos !== text.length) r.fail('unexpected text after the value');
  return value;
}
