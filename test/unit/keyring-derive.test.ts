// A passphrase becomes a key through scrypt (issue 30: bare SHA-256 was cheap to guess), and what the old
// derivation sealed still opens: these blobs and this payload were written by the SHA-256 keyring.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, keyFromText, loadKeyring, sealedWithCurrent } from '../../keyring/index.js';
import { EncryptionCodec } from '../../temporal/codec.js';

const PASSPHRASE = 'correct horse battery staple';
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest();
// Written before scrypt, by encryptSecret and a v1 seal with the passphrase's SHA-256 key (id b867db875479).
const OLD_V2 = 'v2:b867db875479:i6Qi2MRRUNLQqXaifSQ91xbkE5HArDSt7usU2WWcMIVvFiOt2089MkGx1kmJ4w0=';
const OLD_V1 = 'v1:gFFYU3Y1trP19zi3pHmHPiLqFLP05X0Xusa4Uw/wD1TzUsfRZMes0g0h0H72vw==';
const OLD_PAYLOAD = {
  metadata: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==', 'encryption-key-id': 'Yjg2N2RiODc1NDc5' },
  data: 'MAexRqCNkeP3vxMK0pHQFNOJaSbgzI4PYgn25VW5kTtJR8pB5mLlW7Tmdz+EFNxkbE1XJuBRjSF3WcewL6FjriYbQXanlv+z+gsQRxoZ',
};
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

// scrypt at 2^17 takes a few hundred ms alone, seconds on a loaded machine: the limit only catches a hang.
describe('passphrase keys', { timeout: 60_000 }, () => {
  it('derives a passphrase with scrypt (N=2^17, r=8, p=1), not SHA-256', () => {
    const key = keyFromText(PASSPHRASE);
    expect(key).toHaveLength(32);
    expect(key.equals(sha256(PASSPHRASE))).toBe(false);
    expect(
      key.equals(
        crypto.scryptSync(PASSPHRASE, 'vloop-harness keyring v1', 32, {
          N: 2 ** 17,
          r: 8,
          p: 1,
          maxmem: 256 * 1024 * 1024,
        }),
      ),
    ).toBe(true);
    // Hex and base64 keys are taken as they are.
    const hex = crypto.randomBytes(32);
    expect(keyFromText(hex.toString('hex')).equals(hex)).toBe(true);
    expect(keyFromText(hex.toString('base64')).equals(hex)).toBe(true);
  });

  it('encrypts with the scrypt key and still opens what the SHA-256 key sealed', async () => {
    const ring = loadKeyring('/nonexistent', PASSPHRASE);
    expect(ring.current.key.equals(keyFromText(PASSPHRASE))).toBe(true);
    expect(decryptSecret(ring, OLD_V2)).toBe('sk-old-provider-key');
    expect(decryptSecret(ring, OLD_V1)).toBe('sk-v1-provider-key');
    // `harness secrets rotate` re-encrypts what the old key sealed.
    expect(sealedWithCurrent(ring, OLD_V2)).toBe(false);
    const fresh = encryptSecret(ring, 'sk-new');
    expect(fresh.startsWith(`v2:${ring.current.id}:`)).toBe(true);
    expect(ring.current.id).not.toBe('b867db875479');
    const [decoded] = await new EncryptionCodec(ring).decode([
      {
        metadata: {
          encoding: b64(OLD_PAYLOAD.metadata.encoding),
          'encryption-key-id': b64(OLD_PAYLOAD.metadata['encryption-key-id']),
        },
        data: b64(OLD_PAYLOAD.data),
      },
    ]);
    expect(Buffer.from(decoded!.data!).toString()).toBe('"an old history payload"');
  });

  it('reads a passphrase line of the key file the same way, newest line still encrypting', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-'));
    const file = path.join(dir, 'secret.key');
    const newest = crypto.randomBytes(32).toString('hex');
    fs.writeFileSync(file, `${PASSPHRASE}\n${newest}\n`, { mode: 0o600 });
    const ring = loadKeyring(file);
    expect(ring.current.key.toString('hex')).toBe(newest);
    expect(decryptSecret(ring, OLD_V2)).toBe('sk-old-provider-key');
    expect(ring.byId.has(crypto.createHash('sha256').update(keyFromText(PASSPHRASE)).digest('hex').slice(0, 12))).toBe(
      true,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
