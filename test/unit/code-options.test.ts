// The option reader and the sed script reader behind the judge's table, pinned case by case.
import { describe, expect, it } from 'vitest';
import { parseArgs, sedScriptRuns } from '../../core/code-options.js';

const entry = {
  shortValues: 'ofW',
  longValues: ['--output', '--file'],
  danger: { '-TT': 'runs a test command', '--exec': 'runs' },
  longs: ['--list', '--listed'],
  bareBundle: true,
  wLongs: true,
};

describe('parseArgs', () => {
  const cases: string[][] = [
    ['xvf', 'a.tar', 'b'],
    ['-abc', '-ofile', '-o', 'next', 'operand'],
    ['--output=x', '--output', 'y', '--out', 'z', '--li', '--list', '--ex=1', '--e'],
    ['-TT', 'cmd', '-T', '--', '-a', '--b'],
    ['-W', 'exec=prog', '-Wfile=f', '-Wout', 'v', '-W'],
    ['-xo'],
    ['-', 'plain', '-f'],
    ['-vW'],
  ];
  it('reads bundles, values, long prefixes, -W and --', () => {
    expect(cases.map((args) => JSON.stringify(parseArgs(args, entry)))).toMatchSnapshot();
  });
});

describe('sedScriptRuns', () => {
  const scripts = [
    's/a/b/g',
    's/a;b/c/;p',
    's|a|b|w out',
    's/a/b/e',
    's/a/b/gI ; 5d',
    '1,3p;$d',
    '/x/,+2d',
    '\\,x,,~3d',
    '/unterminated',
    '2~3{p;d}',
    'y/abc/xyz/',
    'y/abc/xyz',
    's\\a\\b\\',
    's',
    'a text; w file',
    'i\\\nline\nw out',
    ':label;b label;t;T',
    '# comment ; e id\np',
    'e id',
    'r /etc/passwd',
    'w out',
    'R f',
    'W f',
    '!p',
    's/a/b/2p\nq5',
    's/a\\/b/c/',
    's/a/b/;x;G;H;h;l;=;z;F',
    's/a/\nb/',
    '/a\\/b/Ip',
    '/a/M,/b/d',
    '0,/re/s//x/',
  ];
  it('reads each script command by command', () => {
    expect(Object.fromEntries(scripts.map((s) => [s, sedScriptRuns(s) ?? 'plain']))).toMatchSnapshot();
  });
});
