// A signature's outputs as JSON Schema: what structured output (json_schema, tools, format, grammars) needs.
import type { Signature } from './signature.js';
import type { FieldType } from './types.js';

export type JsonSchema = Record<string, unknown>;

export function typeSchema(t: FieldType): JsonSchema {
  switch (t.kind) {
    case 'str':
      return { type: 'string' };
    case 'int':
      return { type: 'integer' };
    case 'float':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'dict':
      return { type: 'object' };
    case 'json':
      return {};
    case 'list':
      return { type: 'array', items: typeSchema(t.of) };
    case 'literal':
      return { enum: t.values };
  }
}

export function outputsSchema(sig: Signature): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(sig.outputs.map((f) => [f.name, { ...typeSchema(f.type), ...(f.description ? { description: f.description } : {}) }])),
    required: sig.outputs.map((f) => f.name),
    additionalProperties: false,
  };
}
