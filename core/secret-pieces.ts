// Finds pieces of known secrets in a text: a piece of 8+ characters of a token or key is as good as
// the secret, so every 8-character window of every secret is looked for (a rolling hash keeps it linear).

/** The shortest piece of a secret that is redacted. */
export const PIECE = 8;
const BASE = 0x01000193;
// BASE^(PIECE-1) mod 2^32: what the character leaving the window weighs.
const OUT_WEIGHT = Array.from({ length: PIECE - 1 }).reduce<number>((w) => Math.imul(w, BASE), 1);

function windowHash(text: string, at: number): number {
  let h = 0;
  for (let i = at; i < at + PIECE; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

export interface SecretPieces {
  /** The spans [start, end) of the text made of secret pieces, sorted, merged when they touch. */
  spans(text: string): Array<[number, number]>;
  /** How many trailing characters (< PIECE) could still begin a piece once more text arrives. */
  openTail(text: string): number;
}

function build(secrets: readonly string[]): SecretPieces {
  const windows = new Set<string>();
  const hashes = new Set<number>();
  const prefixes = new Set<string>();
  for (const s of secrets) {
    for (let at = 0; at + PIECE <= s.length; at++) {
      const w = s.slice(at, at + PIECE);
      windows.add(w);
      hashes.add(windowHash(w, 0));
      for (let k = 1; k < PIECE; k++) prefixes.add(w.slice(0, k));
    }
  }
  return {
    spans(text) {
      const spans: Array<[number, number]> = [];
      if (!windows.size || text.length < PIECE) return spans;
      let h = windowHash(text, 0);
      for (let at = 0; ; at++) {
        if (hashes.has(h) && windows.has(text.slice(at, at + PIECE))) {
          const last = spans[spans.length - 1];
          if (last && last[1] >= at) last[1] = at + PIECE;
          else spans.push([at, at + PIECE]);
        }
        if (at + PIECE >= text.length) break;
        h = (Math.imul(h - Math.imul(text.charCodeAt(at), OUT_WEIGHT), BASE) + text.charCodeAt(at + PIECE)) | 0;
      }
      return spans;
    },
    openTail(text) {
      for (let k = Math.min(PIECE - 1, text.length); k > 0; k--)
        if (prefixes.has(text.slice(text.length - k))) return k;
      return 0;
    },
  };
}

// Callers pass the same few secrets on every call (a fresh array each time): the last matcher is kept.
let cached: { secrets: readonly string[]; pieces: SecretPieces } | undefined;

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/** The matcher for the secrets of PIECE characters or more. */
export function secretPieces(secrets: readonly string[]): SecretPieces {
  if (!cached || !same(cached.secrets, secrets))
    cached = { secrets: [...secrets], pieces: build(secrets.filter((s) => s.length >= PIECE)) };
  return cached.pieces;
}
