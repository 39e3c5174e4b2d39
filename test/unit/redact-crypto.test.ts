import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maskKey, redact, redactText } from '../../core/redact.js';
import { decryptSecret, encryptSecret, keyFromText, loadKeyring } from '../../keyring/index.js';
import { newId } from '../../core/ids.js';

describe('redaction', () => {
  it('removes known secrets and key shapes, deeply', () => {
    const secret = 'canary-secret-value';
    const out = redact(
      { a: [`x ${secret} y`], b: { c: 'sk-abcdefghijklmnopqrstuv', d: 'Bearer abcdefghijklmnopqrstuvwxyz' }, n: 3 },
      [secret],
    );
    expect(JSON.stringify(out)).not.toMatch(/canary|sk-abc|abcdefghijklmnopqrstuvwxyz/);
    expect(out.n).toBe(3);
    expect(redactText('short key ab', ['ab'])).toBe('short key ab');
    expect(maskKey('sk-proj-1234567890abcd')).toBe('sk-…abcd');
  });
});

describe('secrets at rest', () => {
  it('round-trips with AES-256-GCM and fails clearly with another key', () => {
    const ring = (hex: string) => loadKeyring('/nonexistent', hex);
    const key = ring(crypto.randomBytes(32).toString('hex'));
    const blob = encryptSecret(key, 'sk-top-secret');
    expect(blob).not.toContain('top-secret');
    expect(blob.startsWith(`v2:${key.current.id}:`)).toBe(true);
    expect(decryptSecret(key, blob)).toBe('sk-top-secret');
    expect(() => decryptSecret(ring(crypto.randomBytes(32).toString('hex')), blob)).toThrow(/cannot be decrypted/);
    expect(keyFromText('a'.repeat(64))).toHaveLength(32);
    expect(keyFromText('any passphrase')).toHaveLength(32);
  });
});

describe('ids', () => {
  it('sort by creation time', () => {
    const a = newId('run', 1_000);
    const b = newId('run', 2_000);
    expect(a < b).toBe(true);
    expect(a).toMatch(/^run_[0-9a-z]{22}$/);
    const same = Array.from({ length: 1000 }, () => newId('ex', 5_000));
    expect([...same].sort()).toEqual(same);
  });
});
