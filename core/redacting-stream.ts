// Redact a text that arrives in chunks: a secret (or an 8+ character piece of one) split across two
// chunks must not slip through, so a tail that could still become one is held back until the next
// chunk (or the end).
import { redactText } from './redact.js';
import { PIECE, secretPieces } from './secret-pieces.js';

const PARTIAL_SHAPE = /(sk-[A-Za-z0-9_-]*|Bearer\s*[A-Za-z0-9._~+/=-]*|Beare?r?|Bea?|B|sk?)$/;
// A run of secret pieces longer than this is let out (redacted) rather than held on and on.
const MAX_HELD = 4096;

/** Where the text that is safe to let out now ends. */
function safeEnd(text: string, secrets: readonly string[]): number {
  let hold = 0;
  // Secrets shorter than a piece are matched whole: hold a tail that begins one.
  for (const s of secrets) {
    if (s.length >= PIECE) continue;
    for (let k = Math.min(s.length - 1, text.length); k > hold; k--) {
      if (text.endsWith(s.slice(0, k))) {
        hold = k;
        break;
      }
    }
  }
  const pieces = secretPieces(secrets);
  hold = Math.max(hold, pieces.openTail(text));
  const shape = PARTIAL_SHAPE.exec(text);
  let end = text.length - Math.max(hold, shape ? shape[0].length : 0);
  // A run of pieces reaching the held tail may go on in the next chunk: hold all of it, so it is one REDACTED.
  const spans = pieces.spans(text);
  const last = spans[spans.length - 1];
  if (last && last[1] >= end && text.length - last[0] <= MAX_HELD) end = last[0];
  return end;
}

/** push(chunk) returns what is safe to emit now; end() returns the rest. */
export function redactingStream(secrets: () => readonly string[]) {
  let pending = '';
  return {
    push(chunk: string): string {
      pending += chunk;
      const list = secrets();
      const end = safeEnd(pending, list);
      const out = redactText(pending.slice(0, end), list);
      pending = pending.slice(end);
      return out;
    },
    end(): string {
      const out = redactText(pending, secrets());
      pending = '';
      return out;
    },
  };
}
