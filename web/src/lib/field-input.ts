// How a typed field is asked for in a form and read back: a widget per type, and the value checked
// against the type before a run starts. Pure, unit-tested.
import { parsePyLiteral } from '../../../core/py-literal.js';
import { typeToString, valueMatches, type FieldType } from '../../../core/types.js';

export type Widget = 'switch' | 'select' | 'number' | 'text' | 'json';

const optional = (t: FieldType) => t.kind === 'union' && t.of.some((m) => m.kind === 'none');
/** The type without its None (Optional[T] -> T), when one type is left. */
const core = (t: FieldType): FieldType =>
  t.kind === 'union' && t.of.filter((m) => m.kind !== 'none').length === 1 ? t.of.find((m) => m.kind !== 'none')! : t;

export function widgetOf(t: FieldType): Widget {
  const c = core(t);
  if (c.kind === 'bool') return optional(t) ? 'select' : 'switch';
  if (c.kind === 'literal') return 'select';
  if (c.kind === 'int' || c.kind === 'float') return 'number';
  if (c.kind === 'str' || c.kind === 'bytes' || (c.kind === 'union' && c.of.some((m) => m.kind === 'str')))
    return 'text';
  return 'json';
}

/** The choices of a select: the literal's values (or True/False), and None when the field is optional. */
export function choicesOf(t: FieldType): Array<{ title: string; value: string | number | boolean | null }> {
  const c = core(t);
  const values = c.kind === 'literal' ? c.values : [true, false];
  return [
    ...values.map((v) => ({
      title: v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v),
      value: v,
    })),
    ...(optional(t) ? [{ title: 'None', value: null }] : []),
  ];
}

/** A form's raw value as the field's value, or why it is not one. Lists and dicts take JSON or a Python literal. */
export function readField(t: FieldType, raw: unknown): { value: unknown } | { error: string } {
  const widget = widgetOf(t);
  const empty = raw === undefined || raw === null || raw === '';
  if (empty && optional(t) && widget !== 'switch') return { value: null };
  let value: unknown = raw;
  if (widget === 'switch') value = raw === true;
  else if (widget === 'number') value = empty ? Number.NaN : Number(raw);
  else if (widget === 'text') value = raw ?? '';
  else if (widget === 'json') {
    try {
      value = JSON.parse(String(raw ?? 'null'));
    } catch {
      try {
        value = parsePyLiteral(String(raw ?? ''));
      } catch {
        return { error: `not valid JSON (expected ${typeToString(t)})` };
      }
    }
  }
  return valueMatches(value, t) ? { value } : { error: `expected ${typeToString(t)}` };
}
