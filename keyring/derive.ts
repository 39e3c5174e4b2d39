// Key text to key bytes: 32 bytes as hex or base64 are the key; anything else is a passphrase, stretched
// with scrypt. Before issue 30 a passphrase was hashed once with SHA-256 (cheap to guess); that key stays in
// the ring, older than the scrypt one, so what it sealed still opens and `harness secrets rotate` moves it on.
import crypto from 'node:crypto';

/**
 * No per-project salt: the API and every worker, on any host, must derive the same key from
 * HARNESS_SECRET_KEY alone. The salt separates this use; scrypt's cost is what slows a guess.
 */
const SALT = 'vloop-harness keyring v1';
/** OWASP's scrypt floor (2^17, 8, 1): about 128 MiB and a few hundred ms, once per passphrase per process. */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const derived = new Map<string, Buffer>();

/** The bytes of a hex or base64 key, or undefined when the text is a passphrase. */
function rawKey(text: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/=]+$/.test(text)) return b64;
  return undefined;
}

/** The key a text names today (a passphrase through scrypt, remembered for the process). */
export function keyFromText(text: string): Buffer {
  const raw = rawKey(text);
  if (raw) return raw;
  if (!derived.has(text)) derived.set(text, crypto.scryptSync(text, SALT, 32, SCRYPT));
  return derived.get(text)!;
}

/** Every key a text stands for, oldest first: a passphrase's SHA-256 key (read only) before its scrypt key. */
export function keysFromText(text: string): Buffer[] {
  if (rawKey(text)) return [keyFromText(text)];
  return [crypto.createHash('sha256').update(text).digest(), keyFromText(text)];
}
