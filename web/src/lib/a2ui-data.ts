// The data model an A2UI surface binds to: /inputs (the form), /outputs (the last run), /run.
// Pure: read and write by JSON Pointer, and inputs coerced to what the target's schema says.

export interface SurfaceData {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  run: { id?: string; status?: string; error?: string };
}

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

export function readPath(data: unknown, path: string): unknown {
  let v: unknown = data;
  for (const part of path.split('/').slice(1).map(unescape)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Only /inputs/<field> is writable: a view can fill the form, nothing else. */
export function writeInput(data: SurfaceData, path: string, value: unknown): void {
  const m = /^\/inputs\/([^/]+)$/.exec(path);
  if (m) data.inputs[unescape(m[1]!)] = value;
}

/** Text for any bound value: strings as they are, the rest as JSON, nothing as empty. */
export function display(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The form's values as the schema types them (a number field gives a number; JSON fields parse). */
export function coerceInputs(
  values: Record<string, unknown>,
  schema: { properties?: Record<string, { type?: string }> },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, prop] of Object.entries(schema.properties ?? {})) {
    const v = values[k];
    if (v === undefined) continue;
    if (
      (prop.type === 'integer' || prop.type === 'number') &&
      typeof v === 'string' &&
      v.trim() !== '' &&
      !Number.isNaN(Number(v))
    )
      out[k] = Number(v);
    else if ((prop.type === 'array' || prop.type === 'object') && typeof v === 'string') {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v;
      }
    } else out[k] = v;
  }
  return out;
}

/** An image a view may show: inline data only (no request leaves the page). */
export const safeImage = (v: unknown) =>
  typeof v === 'string' && /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(v) ? v : undefined;
