import { describe, expect, it } from 'vitest';
import { redactingStream } from '../../core/redacting-stream.js';

describe('redactingStream', () => {
  it('never lets a secret through, however the text is split', () => {
    const secret = 'canary-9f8e7d6c5b4a';
    const text = `before ${secret} middle sk-abcdefghijklmnopqrstu after Bearer abcdefghijklmnopqrstuvwxyz012 end`;
    for (let size = 1; size <= 12; size++) {
      const s = redactingStream(() => [secret]);
      let out = '';
      for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size));
      out += s.end();
      expect(out).toBe('before [REDACTED] middle [REDACTED] after [REDACTED] end');
    }
  });

  it('emits ordinary text without holding it back', () => {
    const s = redactingStream(() => ['canary-9f8e7d6c5b4a']);
    expect(s.push('hello world, ')).toBe('hello world, ');
    expect(s.push('can')).toBe('');
    expect(s.push('dy!')).toBe('candy!');
  });
});
