// Class 12: a piece of a secret is as good as the secret (20 characters of the token passed the
// redaction). Any 8+ character substring of a known secret is scrubbed, whole or split across chunks.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redact, REDACTED, redactText } from '../../core/redact.js';
import { redactingStream } from '../../core/redacting-stream.js';

const token = crypto.randomBytes(24).toString('base64url'); // 32 characters, like .vloop/token
const key = crypto.randomBytes(32).toString('hex'); // 64 characters, like .vloop/secret.key

function streamed(text: string, size: number, secrets: string[]): string {
  const s = redactingStream(() => secrets);
  let out = '';
  for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size));
  return out + s.end();
}

describe('redaction of pieces of a secret', () => {
  it('scrubs every substring of 8+ characters at every offset of a 32+ character secret', () => {
    for (const secret of [token, key]) {
      for (const length of [8, 9, 13, 20, secret.length - 1]) {
        for (let at = 0; at + length <= secret.length; at++) {
          const piece = secret.slice(at, at + length);
          const out = redactText(`see <${piece}> here`, [token, key]);
          expect(out, `a ${length}-character piece at offset ${at} passed`).toBe(`see <${REDACTED}> here`);
        }
      }
    }
  });

  it('scrubs pieces inside words, in deep values and in errors', () => {
    const piece = token.slice(5, 25);
    const out = JSON.stringify(redact({ a: [`x${piece}y`], e: new Error(`bad token ${piece}`) }, [token]));
    expect(out).not.toContain(piece.slice(0, 8));
    expect(out).not.toContain(piece.slice(-8));
  });

  it('scrubs two pieces of a secret joined together, and leaves no tail of 8', () => {
    const joined = `${token.slice(0, 10)}${key.slice(20, 40)}`;
    const out = redactText(`[${joined}]`, [token, key]);
    expect(out).toBe(`[${REDACTED}]`);
  });

  it('leaves short and innocuous text alone', () => {
    const text = `ok ${token.slice(0, 7)} and ${key.slice(3, 10)}: the run completed in 42 ms, hello world`;
    expect(redactText(text, [token, key])).toBe(text);
    expect(redactText('plain text of a model answer, nothing secret', [token, key])).toBe(
      'plain text of a model answer, nothing secret',
    );
  });

  it('a stream never lets 8 characters of a secret through, however it is split', () => {
    const piece = token.slice(3, 23);
    const text = `start ${piece} mid ${key.slice(10, 18)} end ${token} done`;
    for (let size = 1; size <= 13; size++) {
      const out = streamed(text, size, [token, key]);
      expect(out, `chunks of ${size}`).toBe(`start ${REDACTED} mid ${REDACTED} end ${REDACTED} done`);
    }
  });

  it('is linear: 8 MB of text with secrets present costs about eight times 1 MB, not sixty-four', () => {
    const secrets = [token, key, crypto.randomBytes(16).toString('hex')];
    const text = (repeats: number) => `${'lorem ipsum dolor sit amet '.repeat(repeats)}${token.slice(4, 16)}`;
    /** The fastest of three, so one pause of a loaded machine does not decide; both sizes under the same load. */
    const fastest = (input: string) =>
      Math.min(
        ...[0, 1, 2].map(() => {
          const started = performance.now();
          expect(redactText(input, secrets).endsWith(REDACTED)).toBe(true);
          return performance.now() - started;
        }),
      );
    const small = fastest(text(37_500));
    const big = fastest(text(300_000));
    expect(big).toBeLessThan(24 * small + 50);
  });
});
