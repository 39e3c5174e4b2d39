// A signature's outputs as JSON Schema: what structured output (json_schema, tools, format, grammars) needs.
import type { Signature } from './signature.js';
import type { FieldType, LiteralValue } from './types.js';

export type JsonSchema = Record<string, unknown>;

/** A literal's schema as pydantic writes it: typed when every value has one JSON type, const for one value. */
function literalSchema(values: LiteralValue[]): JsonSchema {
  const types = new Set(
    values.map((v) =>
      v === null
        ? 'null'
        : typeof v === 'string'
          ? 'string'
          : typeof v === 'boolean'
            ? 'boolean'
            : Number.isInteger(v)
              ? 'integer'
              : 'number',
    ),
  );
  const type = types.size === 1 ? { type: [...types][0] } : {};
  return values.length === 1 ? { ...type, const: values[0] } : { ...type, enum: values };
}

/**
 * A type's JSON Schema, as pydantic (and so DSPy's prompts) writes it: `type` first, then the other
 * keys in order, null last in a union.
 * @example typeSchema(parseTypeExpr('tuple[int, str]')) // {type: 'array', maxItems: 2, minItems: 2, prefixItems: [...]}
 */
export function typeSchema(t: FieldType): JsonSchema {
  switch (t.kind) {
    case 'str':
      return { type: 'string' };
    case 'bytes':
      return { type: 'string', format: 'binary' };
    case 'int':
      return { type: 'integer' };
    case 'float':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'none':
      return { type: 'null' };
    case 'json':
      return {};
    case 'dict': {
      // pydantic names a literal key's values (other keys are strings to JSON Schema).
      const keys = t.key?.kind === 'literal' ? { propertyNames: { enum: t.key.values } } : {};
      return {
        type: 'object',
        additionalProperties: t.value && t.value.kind !== 'json' ? typeSchema(t.value) : true,
        ...keys,
      };
    }
    case 'list':
      return { type: 'array', items: typeSchema(t.of) };
    case 'set':
      return { type: 'array', items: typeSchema(t.of), uniqueItems: true };
    case 'tuple':
      if (t.rest) return { type: 'array', items: typeSchema(t.rest) };
      return {
        type: 'array',
        maxItems: t.items.length,
        minItems: t.items.length,
        ...(t.items.length ? { prefixItems: t.items.map(typeSchema) } : {}),
      };
    case 'union': {
      const members = [...t.of.filter((m) => m.kind !== 'none'), ...t.of.filter((m) => m.kind === 'none')];
      return { anyOf: members.map(typeSchema) };
    }
    case 'literal':
      return literalSchema(t.values);
  }
}

export function outputsSchema(sig: Signature): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(
      sig.outputs.map((f) => [
        f.name,
        { ...typeSchema(f.type), ...(f.description ? { description: f.description } : {}) },
      ]),
    ),
    required: sig.outputs.map((f) => f.name),
    additionalProperties: false,
  };
}

const ARRAY_ITEMS = 8;

/** A schema's alternatives: oneOf (agent actions) or anyOf (a union type). */
const branches = (s: JsonSchema): JsonSchema[] | undefined =>
  Array.isArray(s.oneOf) ? (s.oneOf as JsonSchema[]) : Array.isArray(s.anyOf) ? (s.anyOf as JsonSchema[]) : undefined;

/** How many property keys a schema writes, nested (oneOf: its widest branch): each costs tokens. */
function keyCount(s: JsonSchema): number {
  const alts = branches(s);
  if (alts) return Math.max(1, ...alts.map(keyCount));
  if (s.type === 'array') return ARRAY_ITEMS * keyCount((s.items as JsonSchema | undefined) ?? {});
  const props = Object.values((s.properties as Record<string, JsonSchema> | undefined) ?? {});
  return props.length + props.reduce((n, p) => n + keyCount(p), 0);
}

/** How many free-text slots a schema has (a list counts its items; oneOf its widest branch). */
function textSlots(s: JsonSchema): number {
  const alts = branches(s);
  if (alts) return Math.max(1, ...alts.map(textSlots));
  if (s.type === 'string') return 1;
  if (s.type === 'array') return ARRAY_ITEMS * textSlots((s.items as JsonSchema | undefined) ?? {});
  if (s.properties)
    return Object.values(s.properties as Record<string, JsonSchema>).reduce((n, p) => n + textSlots(p), 0);
  return 0;
}

function bound(s: JsonSchema, maxLength: number): JsonSchema {
  const alts = branches(s);
  if (alts) return { ...s, [Array.isArray(s.oneOf) ? 'oneOf' : 'anyOf']: alts.map((b) => bound(b, maxLength)) };
  if (s.type === 'string')
    return { ...s, maxLength: Math.min(maxLength, (s.maxLength as number | undefined) ?? Infinity) };
  if (s.type === 'array')
    return { ...s, maxItems: ARRAY_ITEMS, ...(s.items ? { items: bound(s.items as JsonSchema, maxLength) } : {}) };
  if (s.properties)
    return {
      ...s,
      properties: Object.fromEntries(
        Object.entries(s.properties as Record<string, JsonSchema>).map(([k, v]) => [k, bound(v, maxLength)]),
      ),
    };
  return s;
}

/**
 * A schema whose every answer fits in `maxTokens`: strings get a maxLength and lists a maxItems, so a
 * grammar-constrained model closes its JSON instead of being cut off mid-string (small models ramble).
 * @example boundedSchema(outputsSchema(sig), 200) // {summary: {type: 'string', maxLength: 440}, …}
 */
export function boundedSchema(schema: JsonSchema, maxTokens: number): JsonSchema {
  const slots = textSlots(schema);
  if (!slots) return schema;
  // 1.5 characters a token is pessimistic for text (English runs near 4), so odd text still fits;
  // each key, with its quotes and punctuation, is paid for up front.
  const chars = Math.floor(((maxTokens - 16 - 10 * keyCount(schema)) * 1.5) / slots);
  return bound(schema, Math.max(8, chars));
}
