import { describe, expect, it } from 'vitest';
import { SpecError } from '../../core/errors.js';
import { parseSignature, parseTypeExpr } from '../../core/signature.js';
import { typeToString } from '../../core/types.js';

const show = (text: string) => {
  const sig = parseSignature(text);
  const side = (fs: typeof sig.inputs) =>
    fs.map((f) => `${f.name}: ${typeToString(f.type)}${f.description ? ` "${f.description}"` : ''}`).join(', ');
  return `${side(sig.inputs)} -> ${side(sig.outputs)}`;
};

describe('parseSignature', () => {
  it.each([
    ['question -> answer', 'question: str -> answer: str'],
    [
      'question: str, context: list[str] -> answer: str, confidence: float',
      'question: str, context: list[str] -> answer: str, confidence: float',
    ],
    ["text: str -> sentiment: Literal['pos', 'neg']", "text: str -> sentiment: Literal['pos', 'neg']"],
    ['a: int, b: bool -> c: dict, d: json', 'a: int, b: bool -> c: dict, d: json'],
    ['m: list[list[int]] -> n: list', 'm: list[list[int]] -> n: list'],
    ['q: str "the user\'s question" -> a: str "short"', 'q: str "the user\'s question" -> a: str "short"'],
    ['x:int->y:Literal[1, 2, True]', 'x: int -> y: Literal[1, 2, True]'],
    ['  spaced :  str  ->  out  ', 'spaced: str -> out: str'],
    // DSPy reads each side as Python parameters (`def f(q: str,)`), so a trailing comma is allowed on both.
    ['q: str, -> x: str', 'q: str -> x: str'],
    ['q, c: list[str] , -> x: str,', 'q: str, c: list[str] -> x: str'],
    ['q "asked", -> x,  ', 'q: str "asked" -> x: str'],
  ])('parses %s', (text, expected) => {
    expect(show(text)).toBe(expected);
  });

  it.each([
    ['question', /expected ',' or '->' at position 8, found end of signature/],
    ['-> answer', /expected a field name in the inputs at position 0/],
    ['q: strr -> a', /unknown type 'strr'.* at position 3/],
    ['q: list[str -> a', /expected '\]' to close list\[ at position 12/],
    ['q: str -> ', /expected a field name in the outputs at position 10/],
    ['q, q -> a', /duplicate field 'q' at position 3/],
    ['q -> q', /field 'q' is both an input and an output/],
    ['q -> a: Literal[]', /expected a quoted string, number, boolean or None/],
    ['q -> a b', /expected ',' or end of signature at position 7/],
    ['q,, -> a', /expected a field name in the inputs at position 2, found ', -> a'/],
    [', -> a', /expected a field name in the inputs at position 0/],
    ['q -> a,,', /expected a field name in the outputs at position 7/],
    ['q -> ,', /expected a field name in the outputs at position 5/],
  ])('rejects %s', (text, message) => {
    expect(() => parseSignature(text)).toThrow(SpecError);
    expect(() => parseSignature(text)).toThrow(message);
  });

  it('parses a lone type expression', () => {
    expect(parseTypeExpr('list[float]')).toEqual({ kind: 'list', of: { kind: 'float' } });
    expect(() => parseTypeExpr('str extra')).toThrow(/unexpected text after the type/);
  });
});

describe('every type name, with and without arguments', () => {
  const names = [
    'str',
    'int',
    'float',
    'bool',
    'bytes',
    'Text',
    'NoneType',
    'None',
    'json',
    'Any',
    'dict',
    'Dict',
    'list',
    'List',
    'set',
    'Set',
    'frozenset',
    'FrozenSet',
    'tuple',
    'Tuple',
    'Sequence',
    'MutableSequence',
    'Iterable',
    'Deque',
    'deque',
    'AbstractSet',
    'MutableSet',
    'Mapping',
    'MutableMapping',
    'OrderedDict',
    'DefaultDict',
    'defaultdict',
    'Counter',
    'Optional',
    'Union',
    'Literal',
    'typing',
    'constructor',
    'toString',
    'Str',
  ];
  const read = (text: string): unknown => {
    try {
      return JSON.stringify(parseTypeExpr(text));
    } catch (err) {
      if (err instanceof SpecError) return err.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
      throw err;
    }
  };
  const forms = (name: string) => [name, `${name}[int]`, `${name}[str, int]`, `typing.${name}[int, ...]`];
  it('reads each the way it always did', () => {
    expect(Object.fromEntries(names.flatMap(forms).map((t) => [t, read(t)]))).toMatchSnapshot();
  });
  it('reads tuples, literals and nested generics', () => {
    const texts = [
      'tuple[int, str,]',
      'tuple[int, ...]',
      'tuple[int, Ellipsis,]',
      'tuple[int, str, ...]',
      'Literal["a", 1, -2.5, True, false, None]',
      "Literal['x',]",
      'Literal[x]',
      'Literal',
      'dict[str, list[Optional[int]]]',
      'Union[int]',
      'list[int',
      'typing.',
      'list[]',
    ];
    expect(Object.fromEntries(texts.map((t) => [t, read(t)]))).toMatchSnapshot();
  });
});
