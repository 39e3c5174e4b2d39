// The value types a signature field or pipeline input can declare (DSPy's: builtin generics, typing
// aliases, unions, literals), how they are named, and how they relate.

export type Scalar = 'str' | 'int' | 'float' | 'bool' | 'bytes' | 'none';

export type FieldType =
  | { kind: Scalar }
  /** Any value: `Any` as DSPy writes it, `json` as this project always has. */
  | { kind: 'json'; name?: 'Any' }
  /** A bare `dict` has no key and value types; `alias` is the typing name it was written as (Mapping, Counter…). */
  | { kind: 'dict'; key?: FieldType; value?: FieldType; alias?: string }
  | { kind: 'list'; of: FieldType; bare?: true; alias?: string }
  | { kind: 'set'; of: FieldType; frozen?: true; bare?: true; alias?: string }
  /** `tuple[int, str]` has items; `tuple[int, ...]` has rest; a bare `tuple` has rest json. */
  | { kind: 'tuple'; items: FieldType[]; rest?: FieldType; bare?: true }
  | { kind: 'union'; of: FieldType[] }
  | { kind: 'literal'; values: LiteralValue[] };

export type LiteralValue = string | number | boolean | null;

/** A literal as Python (and so DSPy) quotes it: double quotes around a single quote, else single. */
function literalText(v: LiteralValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (v.includes("'") && !v.includes('"')) return `"${v}"`;
  return `'${v.includes("'") ? v.replace(/'/g, "\\'") : v}'`;
}

/**
 * The type's name as DSPy renders it in prompts (and as this project parses it back).
 * @example typeToString(parseTypeExpr('Optional[List[str]]')) // 'Union[list[str], NoneType]'
 */
export function typeToString(t: FieldType): string {
  switch (t.kind) {
    case 'none':
      return 'NoneType';
    case 'json':
      return t.name ?? 'json';
    case 'dict':
      if (t.alias === 'Counter') return `Counter[${typeToString(t.key!)}]`;
      return t.key && t.value ? `${t.alias ?? 'dict'}[${typeToString(t.key)}, ${typeToString(t.value)}]` : 'dict';
    case 'list':
      return t.bare ? 'list' : `${t.alias ?? 'list'}[${typeToString(t.of)}]`;
    case 'set': {
      const name = t.alias ?? (t.frozen ? 'frozenset' : 'set');
      return t.bare ? name : `${name}[${typeToString(t.of)}]`;
    }
    case 'tuple':
      if (t.bare) return 'tuple';
      return `tuple[${[...t.items.map(typeToString), ...(t.rest ? [typeToString(t.rest), 'Ellipsis'] : [])].join(', ')}]`;
    case 'union':
      return `Union[${t.of.map(typeToString).join(', ')}]`;
    case 'literal':
      return `Literal[${t.values.map(literalText).join(', ')}]`;
    default:
      return t.kind;
  }
}

/** A union of these members, flattened and without repeats; one member is itself. */
export function unionOf(members: FieldType[]): FieldType {
  const flat: FieldType[] = [];
  for (const m of members.flatMap((m) => (m.kind === 'union' ? m.of : [m])))
    if (!flat.some((f) => typeToString(f) === typeToString(m))) flat.push(m);
  return flat.length === 1 ? flat[0]! : { kind: 'union', of: flat };
}

const isAny = (t: FieldType) => t.kind === 'json';

/** Can a value of type `from` be bound where `to` is expected? int widens to float; anything fits Any/json. */
export function isAssignable(from: FieldType, to: FieldType): boolean {
  if (isAny(to)) return true;
  if (from.kind === 'union') return from.of.every((m) => isAssignable(m, to));
  if (to.kind === 'union') return to.of.some((m) => isAssignable(from, m));
  if (from.kind === 'literal') {
    if (to.kind === 'literal') return from.values.every((v) => to.values.includes(v));
    return from.values.every((v) => valueMatches(v, to));
  }
  if (from.kind === 'int' && to.kind === 'float') return true;
  if ((from.kind === 'list' || from.kind === 'set') && from.kind === to.kind) return isAssignable(from.of, to.of);
  // A set or tuple arrives as a JSON array: it can feed a list.
  if ((from.kind === 'set' || from.kind === 'tuple') && to.kind === 'list')
    return from.kind === 'set'
      ? isAssignable(from.of, to.of)
      : [...from.items, ...(from.rest ? [from.rest] : [])].every((i) => isAssignable(i, to.of));
  if (from.kind === 'tuple' && to.kind === 'tuple') {
    if (to.bare) return true;
    if (to.rest && !to.items.length)
      return [...from.items, ...(from.rest ? [from.rest] : [])].every((i) => isAssignable(i, to.rest!));
    return (
      !from.rest && from.items.length === to.items.length && from.items.every((i, n) => isAssignable(i, to.items[n]!))
    );
  }
  if (from.kind === 'dict' && to.kind === 'dict')
    return !to.value || (!!from.value && isAssignable(from.value, to.value) && isAssignable(from.key!, to.key!));
  return from.kind === to.kind;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON object key read as the dict's key type (JSON keys are strings; DSPy's int keys arrive as "1"). */
function keyMatches(key: string, t: FieldType): boolean {
  if (t.kind === 'str' || isAny(t)) return true;
  if (t.kind === 'int') return /^-?\d+$/.test(key);
  if (t.kind === 'float') return Number.isFinite(Number(key));
  if (t.kind === 'bool') return key === 'true' || key === 'false';
  if (t.kind === 'union') return t.of.some((m) => keyMatches(key, m));
  if (t.kind === 'literal') return t.values.some((v) => String(v) === key);
  return false;
}

/** Does a JSON value fit the type? Used for literal bindings, run inputs and parsed outputs. */
export function valueMatches(value: unknown, t: FieldType): boolean {
  switch (t.kind) {
    case 'str':
    case 'bytes':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'none':
      return value === null;
    case 'json':
      return value !== undefined;
    case 'dict':
      return (
        isObject(value) &&
        (!t.value || Object.entries(value).every(([k, v]) => keyMatches(k, t.key!) && valueMatches(v, t.value!)))
      );
    case 'list':
      return Array.isArray(value) && value.every((v) => valueMatches(v, t.of));
    case 'set':
      return (
        Array.isArray(value) &&
        value.every((v) => valueMatches(v, t.of)) &&
        new Set(value.map((v) => JSON.stringify(v))).size === value.length
      );
    case 'tuple':
      if (!Array.isArray(value)) return false;
      if (t.items.length && !t.rest && value.length !== t.items.length) return false;
      if (!t.rest && !t.bare && value.length !== t.items.length) return false;
      return value.every((v, i) =>
        i < t.items.length ? valueMatches(v, t.items[i]!) : valueMatches(v, t.rest ?? { kind: 'json' }),
      );
    case 'union':
      return t.of.some((m) => valueMatches(value, m));
    case 'literal':
      return t.values.includes(value as LiteralValue);
  }
}
