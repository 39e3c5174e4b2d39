// DSPy-style signatures: "question: str, context: list[str] -> answer: str, confidence: float".
import { SpecError } from './errors.js';
import { unionOf, type FieldType, type LiteralValue } from './types.js';

export interface SignatureField {
  name: string;
  type: FieldType;
  description?: string;
  /** Added by the module (ChainOfThought's reasoning), not declared by the user. */
  implicit?: true;
}

export interface Signature {
  inputs: SignatureField[];
  outputs: SignatureField[];
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  peek(s: string): boolean {
    this.skipSpace();
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }
  expect(s: string, what: string): void {
    if (!this.eat(s)) this.fail(`expected ${what}`);
  }
  ident(what: string): string {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }
  fail(message: string): never {
    const found = this.pos < this.text.length ? `'${this.text.slice(this.pos, this.pos + 12)}'` : 'end of signature';
    throw new SpecError('invalid signature', [
      { path: `signature[${this.pos}]`, message: `${message} at position ${this.pos}, found ${found}` },
    ]);
  }
}

function parseLiteralValue(c: Cursor): LiteralValue {
  c.skipSpace();
  const rest = c.text.slice(c.pos);
  const quoted = /^(['"])((?:\\.|(?!\1).)*)\1/.exec(rest);
  if (quoted) {
    c.pos += quoted[0].length;
    return quoted[2]!.replace(/\\(.)/g, '$1');
  }
  const num = /^-?\d+(\.\d+)?/.exec(rest);
  if (num) {
    c.pos += num[0].length;
    return Number(num[0]);
  }
  if (c.eat('True') || c.eat('true')) return true;
  if (c.eat('False') || c.eat('false')) return false;
  if (c.eat('None')) return null;
  return c.fail('expected a quoted string, number, boolean or None in Literal[...]');
}

const KNOWN =
  'str, int, float, bool, bytes, list[T], dict[K, V], set[T], tuple[...], Optional[T], Union[...], T | None, Literal[...], Any or json';

/** `name[T, U]`: exactly `count` type arguments (a number), or at least one (undefined). */
function typeArgs(c: Cursor, name: string, count?: number): FieldType[] {
  const args = [parseType(c)];
  // A trailing comma is Python's: list[int,] is list[int].
  while (c.eat(',') && !c.peek(']')) args.push(parseType(c));
  c.expect(']', `']' to close ${name}[`);
  if (count !== undefined && args.length !== count) {
    c.pos--;
    c.fail(`${name} takes ${count === 1 ? 'one type argument' : `${count} type arguments`}, got ${args.length}`);
  }
  return args;
}

/** A generic that needs its arguments (Optional, Union, the capitalized typing aliases). */
function needsArgs(c: Cursor, name: string, start: number): never {
  c.pos = start;
  return c.fail(
    `${name} needs type arguments, e.g. ${name === 'Optional' ? 'Optional[str]' : name === 'Union' ? 'Union[int, str]' : name === 'Dict' ? 'Dict[str, int]' : `${name}[str]`}`,
  );
}

/** Types that take no arguments, by the names a signature may use for them. */
const SCALARS = new Map<string, () => FieldType>([
  ['str', () => ({ kind: 'str' })],
  ['int', () => ({ kind: 'int' })],
  ['float', () => ({ kind: 'float' })],
  ['bool', () => ({ kind: 'bool' })],
  ['bytes', () => ({ kind: 'bytes' })],
  ['Text', () => ({ kind: 'str' })],
  ['NoneType', () => ({ kind: 'none' })],
  ['None', () => ({ kind: 'none' })],
  ['json', () => ({ kind: 'json' })],
  ['Any', () => ({ kind: 'json', name: 'Any' })],
]);

/** The builtins a signature may write without arguments (`list` is a list of anything); the other generics need them. */
const BARE = new Map<string, () => FieldType>([
  ['dict', () => ({ kind: 'dict' })],
  ['list', () => ({ kind: 'list', of: { kind: 'json' }, bare: true })],
  ['set', () => ({ kind: 'set', of: { kind: 'json' }, bare: true })],
  ['frozenset', () => ({ kind: 'set', of: { kind: 'json' }, bare: true, frozen: true })],
  ['tuple', () => ({ kind: 'tuple', items: [], rest: { kind: 'json' }, bare: true })],
]);

/** `tuple[A, B]`, or `tuple[T, ...]` for any number of T; the cursor is after the `[`. */
function tupleArgs(c: Cursor, name: string): FieldType {
  const items = [parseType(c)];
  while (c.eat(',') && !c.peek(']')) {
    if (c.eat('...') || c.eat('Ellipsis')) {
      if (items.length !== 1) c.fail('... follows exactly one type: tuple[T, ...]');
      c.eat(',');
      c.expect(']', `']' to close ${name}[`);
      return { kind: 'tuple', items: [], rest: items[0]! };
    }
    items.push(parseType(c));
  }
  c.expect(']', `']' to close ${name}[`);
  return { kind: 'tuple', items };
}

type Generic = (c: Cursor, name: string) => FieldType;
const dictOf: Generic = (c, name) => {
  const [key, value] = typeArgs(c, name, 2) as [FieldType, FieldType];
  return { kind: 'dict', key, value };
};
const listOf: Generic = (c, name) => ({ kind: 'list', of: typeArgs(c, name, 1)[0]! });
const setOf: Generic = (c, name) => ({
  kind: 'set',
  of: typeArgs(c, name, 1)[0]!,
  ...(name.toLowerCase() === 'frozenset' ? { frozen: true as const } : {}),
});
// The collections.abc and typing generics DSPy takes: lists, sets and dicts under their own names.
// deque and defaultdict are how DSPy renders Deque and DefaultDict: they parse back.
const listAlias: Generic = (c, name) => ({
  kind: 'list',
  of: typeArgs(c, name, 1)[0]!,
  alias: name === 'Deque' ? 'deque' : name,
});
const setAlias: Generic = (c, name) => ({
  kind: 'set',
  of: typeArgs(c, name, 1)[0]!,
  alias: name === 'AbstractSet' ? 'Set' : name,
});
const dictAlias: Generic = (c, name) => ({ ...dictOf(c, name), alias: name === 'DefaultDict' ? 'defaultdict' : name });

/** The generics, each read from after its `[`. */
const GENERICS = new Map<string, Generic>([
  ...['dict', 'Dict'].map((n) => [n, dictOf] as const),
  ...['list', 'List'].map((n) => [n, listOf] as const),
  ...['set', 'Set', 'frozenset', 'FrozenSet'].map((n) => [n, setOf] as const),
  ...['tuple', 'Tuple'].map((n) => [n, tupleArgs] as const),
  ...['Sequence', 'MutableSequence', 'Iterable', 'Deque', 'deque'].map((n) => [n, listAlias] as const),
  ...['AbstractSet', 'MutableSet'].map((n) => [n, setAlias] as const),
  ...['Mapping', 'MutableMapping', 'OrderedDict', 'DefaultDict', 'defaultdict'].map((n) => [n, dictAlias] as const),
  ['Counter', (c, name) => ({ kind: 'dict', key: typeArgs(c, name, 1)[0]!, value: { kind: 'int' }, alias: 'Counter' })],
  ['Optional', (c, name) => unionOf([typeArgs(c, name, 1)[0]!, { kind: 'none' }])],
  ['Union', (c, name) => unionOf(typeArgs(c, name))],
]);

/** `Literal[v, ...]`; the cursor is after the `[`. */
function literalArgs(c: Cursor): FieldType {
  const values = [parseLiteralValue(c)];
  while (c.eat(',') && !c.peek(']')) values.push(parseLiteralValue(c));
  c.expect(']', "']' to close Literal[");
  return { kind: 'literal', values };
}

/** One type without `|`: a name, optionally `typing.`-qualified, with its arguments. */
function parseAtom(c: Cursor): FieldType {
  c.skipSpace();
  const start = c.pos;
  let name = c.ident('a type');
  if (name === 'typing' && c.eat('.')) name = c.ident('a name from typing');
  const open = c.eat('[');
  const scalar = SCALARS.get(name);
  if (scalar) {
    if (open) c.fail(`${name} takes no type arguments`);
    return scalar();
  }
  if (name === 'Literal') {
    if (!open) c.fail("'[' after Literal");
    return literalArgs(c);
  }
  const generic = GENERICS.get(name);
  if (!generic) {
    c.pos = start;
    return c.fail(`unknown type '${name}' (use ${KNOWN})`);
  }
  if (open) return generic(c, name);
  return BARE.get(name)?.() ?? needsArgs(c, name, start);
}

/** A type, with `A | B` unions as Python writes them. */
function parseType(c: Cursor): FieldType {
  const members = [parseAtom(c)];
  while (c.eat('|')) members.push(parseAtom(c));
  return members.length > 1 ? unionOf(members) : members[0]!;
}

function parseDescription(c: Cursor): string | undefined {
  c.skipSpace();
  const m = /^"((?:\\.|[^"\\])*)"/.exec(c.text.slice(c.pos));
  if (!m) return undefined;
  c.pos += m[0].length;
  return m[1]!.replace(/\\(.)/g, '$1');
}

function parseFields(c: Cursor, side: string, stop: (c: Cursor) => boolean): SignatureField[] {
  const fields: SignatureField[] = [];
  do {
    const fieldStart = c.pos;
    const name = c.ident(`a field name in the ${side}`);
    if (name.startsWith('_')) {
      c.pos = fieldStart;
      c.skipSpace();
      c.fail(`field '${name}' starts with an underscore (as in DSPy, such names are private)`);
    }
    const type: FieldType = c.eat(':') ? parseType(c) : { kind: 'str' };
    const description = parseDescription(c);
    if (fields.some((f) => f.name === name)) {
      c.pos = fieldStart;
      c.skipSpace();
      c.fail(`duplicate field '${name}'`);
    }
    fields.push(description === undefined ? { name, type } : { name, type, description });
    // DSPy reads a side as Python parameters, where a trailing comma is allowed: `q: str, -> x: str,`.
  } while (c.eat(',') && !stop(c));
  if (!stop(c)) c.fail(`expected ',' or ${side === 'inputs' ? "'->'" : 'end of signature'}`);
  return fields;
}

/**
 * Parse a signature string. Field types default to str; a field may carry a "description".
 * @example parseSignature('question: str "what to answer" -> answer: str, score: float')
 */
export function parseSignature(text: string): Signature {
  const c = new Cursor(text);
  const inputs = parseFields(c, 'inputs', (cur) => cur.peek('->'));
  c.expect('->', "'->'");
  const outputs = parseFields(c, 'outputs', (cur) => {
    cur.skipSpace();
    return cur.pos === cur.text.length;
  });
  const clash = outputs.find((o) => inputs.some((i) => i.name === o.name));
  if (clash)
    throw new SpecError('invalid signature', [
      { path: 'signature', message: `field '${clash.name}' is both an input and an output` },
    ]);
  return { inputs, outputs };
}

/** Parse a lone type such as "list[str]" (pipeline input declarations use this). */
export function parseTypeExpr(text: string): FieldType {
  const c = new Cursor(text);
  const t = parseType(c);
  c.skipSpace();
  if (c.pos !== text.length) c.fail('unexpected text after the type');
  return t;
}
