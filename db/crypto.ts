// API keys at rest: AES-256-GCM with a key from HARNESS_SECRET_KEY or .vloop/secret.key (0600).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function keyFromText(text: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/=]+$/.test(text)) return b64;
  return crypto.createHash('sha256').update(text).digest();
}

/** The key from its text (HARNESS_SECRET_KEY), else from the key file, created once. */
export function loadSecretKey(file: string, text?: string): Buffer {
  if (text) return keyFromText(text);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return keyFromText(fs.readFileSync(file, 'utf8').trim());
}

export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function decryptSecret(key: Buffer, blob: string): string {
  if (!blob.startsWith('v1:')) throw new Error('unknown secret format');
  const raw = Buffer.from(blob.slice(3), 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('a stored API key cannot be decrypted: HARNESS_SECRET_KEY or .vloop/secret.key changed since it was saved');
  }
}
