import { describe, expect, it } from 'vitest';
import { parseTypeExpr } from '../../core/signature.js';
import { choicesOf, readField, widgetOf } from '../../web/src/lib/field-input.js';

const t = parseTypeExpr;

describe('form fields for every type', () => {
  it('picks a widget per type', () => {
    const cases: Array<[string, string]> = [
      ['str', 'text'],
      ['Optional[str]', 'text'],
      ['bytes', 'text'],
      ['bool', 'switch'],
      ['Optional[bool]', 'select'],
      ["Literal['a', 1]", 'select'],
      ['int | None', 'number'],
      ['float', 'number'],
      ['dict[str, int]', 'json'],
      ['tuple[int, str]', 'json'],
      ['set[str]', 'json'],
      ['Union[int, str]', 'text'],
      ['Any', 'json'],
    ];
    expect(cases.map(([type]) => [type, widgetOf(t(type))])).toEqual(cases);
    expect(choicesOf(t("Optional[Literal['a', 1, True]]")).map((c) => c.value)).toEqual(['a', 1, true, null]);
  });

  it('reads values back as their type, or says what was expected', () => {
    expect(readField(t('Optional[int]'), '')).toEqual({ value: null });
    expect(readField(t('int'), '2.5')).toEqual({ error: 'expected int' });
    expect(readField(t('tuple[int, str]'), "(1, 'a')")).toEqual({ value: [1, 'a'] });
    expect(readField(t('dict[str, list[int]]'), '{"a": [1]}')).toEqual({ value: { a: [1] } });
    expect(readField(t('set[str]'), '["a", "a"]')).toEqual({ error: 'expected set[str]' });
    expect(readField(t('list[str]'), '{oops')).toEqual({ error: 'not valid JSON (expected list[str])' });
    expect(readField(t("Literal['a', 1]"), 1)).toEqual({ value: 1 });
  });
});
