// The judge against bash itself: for each word, what the judge computes must be exactly the one
// field bash expands it to in the same environment, or the judge must say it cannot know.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readShellCommand } from '../../../judge/shell.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'judge-diff-'));
const home = path.join(scratch, 'home');
const ws = path.join(scratch, 'ws');
fs.mkdirSync(home);
fs.mkdirSync(ws);
fs.writeFileSync(path.join(ws, 'a.md'), '');
fs.writeFileSync(path.join(ws, 'b.md'), '');
const vars = { HOME: home, PWD: ws, PATH: '/usr/bin:/bin', LANG: 'C', SPACED: 'a b', GLOBBY: '*.md', EMPTY: '' };
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const corpus = [
  'plain',
  "'single quoted'",
  '"double quoted"',
  'a"b"\'c\'',
  'a\\ b',
  '\\$HOME',
  '"\\$HOME"',
  '"a\\nb"',
  '"\\\\"',
  "'\\'",
  '$HOME',
  '"$HOME"',
  '${HOME}',
  '"${HOME}/x"',
  '$HOME/x',
  'a$HOME',
  '$HOME$HOME',
  '$PWD',
  '"$PWD"/y',
  '$PATH',
  '$LANG',
  '~',
  '~/x',
  '~+',
  '~+/z',
  '~-',
  '~root',
  '\\~',
  '"~"',
  "'~'",
  'x~',
  'a=~/x',
  '--file=~/x',
  '-f~/x',
  '$SPACED',
  '"$SPACED"',
  '$GLOBBY',
  '"$GLOBBY"',
  '$EMPTY',
  '"$EMPTY"',
  '$UNSET',
  '"$UNSET"',
  '${UNSET}x',
  '${HOME:-x}',
  '${#HOME}',
  '${HOME%/*}',
  '${HOME/h/H}',
  '$1',
  '"$@"',
  '$$',
  '$?',
  '$(echo hi)',
  '"$(echo hi)"',
  '`echo hi`',
  '$((1+2))',
  '<(true)',
  '{a,b}',
  'x{a,b}y',
  '{1..3}',
  '{a}',
  '{}',
  'a{b',
  '*.md',
  '*.none',
  '?.md',
  '[ab].md',
  '\\*',
  '"*"',
  "'*'",
  "$'\\x41'",
  "$'plain'",
  '$"hi"',
  '/etc/passwd',
  '../x',
  './y',
  'a/b/../c',
  '--opt=/p',
  '-o/p',
  'x=1',
  '%s',
  'a#b',
];

function bashFields(word: string): string[] {
  const r = spawnSync('bash', ['-c', `printf '%s\\0' ${word}`], { cwd: ws, env: vars, encoding: 'utf8' });
  expect(r.status, `bash could not expand ${word}: ${r.stderr}`).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

describe('the judge agrees with bash on what a word expands to', () => {
  it.each(corpus)('%s', (word) => {
    const facts = readShellCommand(`printf '%s\\0' ${word}`, { vars });
    expect(facts.unparseable).toBeUndefined();
    const judged = facts.commands[0]!.words.slice(2);
    const fields = bashFields(word);
    if (judged.length === 1 && judged[0]!.value !== undefined) expect(fields).toEqual([judged[0]!.value]);
    else
      expect(
        judged.some((w) => w.unknown !== undefined),
        `the judge computed ${JSON.stringify(judged)} where bash gives ${JSON.stringify(fields)}`,
      ).toBe(true);
  });
  it('computes most of the corpus, so agreement is not only "unknown"', () => {
    const known = corpus.filter((word) =>
      readShellCommand(`printf '%s\\0' ${word}`, { vars })
        .commands[0]!.words.slice(2)
        .every((w) => w.value !== undefined),
    );
    expect(known.length).toBeGreaterThan(corpus.length / 2);
  });
});
