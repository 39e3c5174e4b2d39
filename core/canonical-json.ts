// JSON with object keys in a fixed order, so equal values always serialize (and hash) the same:
// RFC 8785 (JCS) by `canonicalize`, keys in UTF-16 code unit order whatever the machine's locale.
import jcs from 'canonicalize';

/** The package is CommonJS (`module.exports = serialize`) while its types declare an ES default export. */
const serialize = ((jcs as { default?: unknown }).default ?? jcs) as (input: unknown) => string | undefined;

/**
 * The JSON value JSON.stringify makes of `value` (NaN and Infinity as null, which RFC 8785 would refuse,
 * functions dropped), written canonically; `null` for nothing.
 * @example canonicalJson({ b: 1, a: [2], B: 3 }) // '{"B":3,"a":[2],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? 'null' : serialize(JSON.parse(json))!;
}
