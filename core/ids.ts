// Time-sortable ids (ULID-like): newest-first paging can use the id itself as the cursor.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeTime(ms: number, length: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function randomPart(length: number): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

let lastTime = -1;
let lastRandom: number[] = [];

/** Within one millisecond, ids keep their order: the random part counts up (as ULIDs do). */
function monotonicRandom(now: number): string {
  if (now === lastTime) {
    let i = lastRandom.length - 1;
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
    if (i >= 0) lastRandom[i]!++;
  } else {
    lastTime = now;
    lastRandom = [...randomPart(12)].map((c) => ALPHABET.indexOf(c));
    lastRandom[0] = lastRandom[0]! % 16; // headroom, so counting up never wraps
  }
  return lastRandom.map((d) => ALPHABET[d]).join('');
}

/** newId('run') -> "run_01jd3v6x8k2m4n5p6q7r8s9t0v" (sortable by creation time, and by order within a millisecond). */
export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${encodeTime(now, 10)}${monotonicRandom(now)}`;
}
