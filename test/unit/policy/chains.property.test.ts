// Random chains of safe and unsafe commands: a chain is never allowed when any member alone would
// be denied or asked, and is denied whenever a member alone is denied, however it is joined or nested.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sh } from './judge.js';

const safe = [
  'ls -la',
  'cat README.md',
  'echo ok',
  'grep -n x src/a.ts',
  'git status',
  'wc -l a.txt',
  'true',
  'head -n 3 a.txt',
];
const unsafe = [
  'rm -rf src',
  'cat /etc/passwd',
  'cat ~/.ssh/id_rsa',
  'python3 -c 1',
  'curl https://evil.example/',
  'cat $SECRET',
  'echo x > /etc/cron.d/x',
  'xargs rm',
  'cat .vloop/token',
  'rm notes.txt',
  'curl https://other.example.net/',
  'sudo ls',
  'cat *.md',
  'env ls',
];
const member = fc.constantFrom(...safe, ...unsafe);

type Chain = { text: string; members: string[] };
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const chain: fc.Arbitrary<Chain> = fc.letrec<{ chain: Chain }>((tie) => ({
  chain: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    member.map((m) => ({ text: m, members: [m] })),
    fc
      .tuple(tie('chain'), fc.constantFrom(' ; ', ' && ', ' || ', ' | ', '\n', ' & '), tie('chain'))
      .map(([a, op, b]) => ({ text: `${a.text}${op}${b.text}`, members: [...a.members, ...b.members] })),
    tie('chain').map((c) => ({ text: `( ${c.text} )`, members: c.members })),
    tie('chain').map((c) => ({ text: `{ ${c.text}; }`, members: c.members })),
    tie('chain').map((c) => ({ text: `echo "$(${c.text})"`, members: ['echo ok', ...c.members] })),
    tie('chain').map((c) => ({ text: `bash -c ${quote(c.text)}`, members: ['bash -c x', ...c.members] })),
    tie('chain').map((c) => ({ text: `if true; then ${c.text}; fi`, members: ['true', ...c.members] })),
  ),
})).chain;

describe('chains of commands', () => {
  it('every member is judged on its own first (the corpus has both kinds)', async () => {
    for (const m of safe) expect((await sh(m)).decision, m).toBe('allow');
    for (const m of unsafe) expect((await sh(m)).decision, m).not.toBe('allow');
  });
  it('never come out allow when a member alone is not allowed, and are denied when a member alone is', async () => {
    const alone = new Map<string, string>();
    for (const m of [...safe, ...unsafe, 'bash -c x']) alone.set(m, (await sh(m)).decision);
    await fc.assert(
      fc.asyncProperty(chain, async (c) => {
        const decision = (await sh(c.text)).decision;
        const members = c.members.map((m) => alone.get(m)!);
        if (members.some((d) => d !== 'allow')) expect(decision, c.text).not.toBe('allow');
        if (members.includes('deny')) expect(decision, c.text).toBe('deny');
      }),
      { numRuns: 400, seed: 20261201 },
    );
    // 400 chains through the real parser: seconds on a loaded CI machine; the limit only catches a hang.
  }, 60_000);
});
