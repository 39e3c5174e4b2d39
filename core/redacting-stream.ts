// Redact a text that arrives in chunks: a secret split across two chunks must not slip through,
// so a tail that could still become a secret is held back until the next chunk (or the end).
import { redactText } from './redact.js';

const PARTIAL_SHAPE = /(sk-[A-Za-z0-9_-]*|Bearer\s*[A-Za-z0-9._~+/=-]*|Beare?r?|Bea?|B|sk?)$/;

function heldTail(text: string, secrets: readonly string[]): number {
  let hold = 0;
  for (const s of secrets) {
    for (let k = Math.min(s.length - 1, text.length); k > hold; k--) {
      if (text.endsWith(s.slice(0, k))) {
        hold = k;
        break;
      }
    }
  }
  const shape = PARTIAL_SHAPE.exec(text);
  return Math.max(hold, shape ? shape[0].length : 0);
}

/** push(chunk) returns what is safe to emit now; end() returns the rest. */
export function redactingStream(secrets: () => readonly string[]) {
  let pending = '';
  return {
    push(chunk: string): string {
      pending += chunk;
      const list = secrets();
      // Hold back a tail that may still grow into a secret; redact only what is let out.
      const hold = heldTail(pending, list);
      const out = redactText(pending.slice(0, pending.length - hold), list);
      pending = pending.slice(pending.length - hold);
      return out;
    },
    end(): string {
      const out = redactText(pending, secrets());
      pending = '';
      return out;
    },
  };
}
