// Secrets at rest and in Temporal: AES-256-GCM with the project's keyring (HARNESS_SECRET_KEY, or
// the lines of .vloop/secret.key, newest last). The newest key encrypts; every key still decrypts,
// so a rotation keeps old provider keys and old workflow histories readable.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { keysFromText } from './derive.js';

export { keyFromText } from './derive.js';

export interface SecretKey {
  /** Short and public: names the key in ciphertext so the right one decrypts it. */
  id: string;
  key: Buffer;
}

export interface Keyring {
  current: SecretKey;
  byId: Map<string, SecretKey>;
}

const keyId = (key: Buffer) => crypto.createHash('sha256').update(key).digest('hex').slice(0, 12);
const ring = (keys: Buffer[]): Keyring => {
  const all = keys.map((key) => ({ id: keyId(key), key }));
  return { current: all[all.length - 1]!, byId: new Map(all.map((k) => [k.id, k])) };
};

/** The keyring from HARNESS_SECRET_KEY (one key; a passphrase brings its old SHA-256 key to read with), else the key file (created with one key on first use). */
export function loadKeyring(file: string, text?: string): Keyring {
  if (text) return ring(keysFromText(text));
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) throw new Error(`${file} holds no key`);
  return ring(lines.flatMap(keysFromText));
}

/** Add a new newest key to the key file; the old ones stay for decrypting. */
export function addKey(file: string): Keyring {
  fs.appendFileSync(file, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return loadKeyring(file);
}

/** iv (12) | tag (16) | ciphertext */
export function seal(key: Buffer, plaintext: Buffer): Buffer {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Buffer): Buffer {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

/** `v2:<key id>:<base64>`; the key id lets a rotated keyring pick the right key. */
export function encryptSecret(keys: Keyring, plaintext: string): string {
  return `v2:${keys.current.id}:${seal(keys.current.key, Buffer.from(plaintext, 'utf8')).toString('base64')}`;
}

export function decryptSecret(keys: Keyring, blob: string): string {
  const fail = () =>
    new Error(
      'a stored API key cannot be decrypted: HARNESS_SECRET_KEY or .vloop/secret.key changed since it was saved',
    );
  const v2 = /^v2:([0-9a-f]+):(.+)$/.exec(blob);
  // v1 (before rotation existed) names no key: any key of the ring may open it.
  const candidates = v2
    ? [keys.byId.get(v2[1]!)].filter((k): k is SecretKey => !!k)
    : blob.startsWith('v1:')
      ? [...keys.byId.values()]
      : [];
  const sealed = Buffer.from(v2 ? v2[2]! : blob.slice(3), 'base64');
  for (const k of candidates) {
    try {
      return open(k.key, sealed).toString('utf8');
    } catch {
      // the next key, if any
    }
  }
  throw fail();
}

/** Whether a blob is sealed with the current key (rotation re-encrypts the others). */
export const sealedWithCurrent = (keys: Keyring, blob: string) => blob.startsWith(`v2:${keys.current.id}:`);
