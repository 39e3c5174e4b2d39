// The value types a signature field or pipeline input can declare, and how they relate.
export type FieldType =
  | { kind: 'str' | 'int' | 'float' | 'bool' | 'dict' | 'json' }
  | { kind: 'list'; of: FieldType }
  | { kind: 'literal'; values: Array<string | number | boolean> };

export function typeToString(t: FieldType): string {
  if (t.kind === 'list') return `list[${typeToString(t.of)}]`;
  if (t.kind === 'literal') return `Literal[${t.values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}]`;
  return t.kind;
}

/** Can a value of type `from` be bound where `to` is expected? int widens to float; anything fits json. */
export function isAssignable(from: FieldType, to: FieldType): boolean {
  if (to.kind === 'json') return true;
  if (from.kind === 'literal') {
    if (to.kind === 'literal') return from.values.every((v) => to.values.includes(v));
    return from.values.every((v) => valueMatches(v, to));
  }
  if (from.kind === 'list' && to.kind === 'list') return isAssignable(from.of, to.of);
  if (from.kind === 'int' && to.kind === 'float') return true;
  return from.kind === to.kind;
}

/** Does a concrete JSON value fit the type? Used for literal bindings and run inputs. */
export function valueMatches(value: unknown, t: FieldType): boolean {
  switch (t.kind) {
    case 'str':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'dict':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'json':
      return value !== undefined;
    case 'list':
      return Array.isArray(value) && value.every((v) => valueMatches(v, t.of));
    case 'literal':
      return t.values.includes(value as string | number | boolean);
  }
}
