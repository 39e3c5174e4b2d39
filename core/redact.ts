// Secret redaction: known secret values (any piece of 8+ characters of them) and common key shapes
// never leave the process unmasked.
import { PIECE, secretPieces } from './secret-pieces.js';

const KEY_SHAPES = [/\bsk-ant-[A-Za-z0-9_-]{8,}/g, /\bsk-[A-Za-z0-9_-]{16,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/g];
export const REDACTED = '[REDACTED]';

export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = redactPieces(text, secrets);
  // Shorter secrets are matched whole only: a piece of fewer than 8 characters is ordinary text.
  for (const s of secrets) if (s.length >= 6 && s.length < PIECE) out = out.split(s).join(REDACTED);
  for (const re of KEY_SHAPES) out = out.replace(re, REDACTED);
  return out;
}

/** Every span made of pieces of the secrets becomes one REDACTED. */
function redactPieces(text: string, secrets: readonly string[]): string {
  const spans = secretPieces(secrets).spans(text);
  if (!spans.length) return text;
  let out = '';
  let from = 0;
  for (const [start, end] of spans) {
    out += text.slice(from, start) + REDACTED;
    from = end;
  }
  return out + text.slice(from);
}

/** Deep-redact any JSON-like value. */
export function redact<T>(value: T, secrets: readonly string[] = []): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets)) as T;
  // An Error's name and message are not enumerable: keep them (scrubbed) or logs lose the reason.
  if (value instanceof Error) {
    const extra = redact(Object.fromEntries(Object.entries(value)), secrets) as Record<string, unknown>;
    return {
      ...extra,
      name: value.name,
      message: redactText(value.message, secrets),
      ...(value.cause ? { cause: redact(value.cause, secrets) } : {}),
    } as T;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secrets)])) as T;
  }
  return value;
}

/** "sk-proj-abcdef1234" -> "sk-…1234": enough to recognise a key, never enough to use it. */
export function maskKey(key: string): string {
  const prefix = key.startsWith('sk-') ? 'sk-' : '';
  return `${prefix}…${key.slice(-4)}`;
}
