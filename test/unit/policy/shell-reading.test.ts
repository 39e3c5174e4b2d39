// What the judge reads from a command, pinned whole (commands, words, redirects, opaque parts) for
// each construct it handles, so a change in how it reads shows as a diff of facts.
import { describe, expect, it } from 'vitest';
import { expandBraces, type WordToken } from '../../../judge/braces.js';
import { readShellCommand } from '../../../judge/shell.js';

const env = { vars: { HOME: '/home/u', PWD: '/ws', PATH: '/usr/bin:/bin', SPACED: 'a b', GLOBBY: '*.md', EMPTY: '' } };

const commands = [
  'cat ~/x ~+/y ~- ~root a=~/b --file=~/c "$HOME"/d $PWD/e $SPACED "$SPACED" $GLOBBY $EMPTY "$EMPTY" $UNSET ${HOME%/*}',
  "echo a\\ b 'q' \"d$HOME\" $'\\x41' $'plain' \"\\$HOME\" line\\\ncontinued",
  'ls /etc/*.conf src/?.ts [ab].md /a/b$(pwd)/c <(true) $((1+2)) @(a|b)',
  'cp {a,b}.txt /tmp/{x,y/z} {1..3} {05..10..2} {a..e} {a} {} a{b "{a,b}" {a,{b,c}} {,x}',
  'echo {1..300} {a,b}{1..200}',
  'sudo -u root -n env FOO=1 timeout 5 nice -n 2 cat /etc/shadow',
  'flock /tmp/lock rm -rf x; chroot /jail sh; taskset 3 ls; su -c "rm -rf /" root; env -S "rm -rf /"',
  'sudo',
  'bash -c "cat /etc/passwd; rm -f x" && sh -xc \'echo $0\' || dash -c "$CMD"; zsh script.sh',
  'eval "rm -rf /tmp/x"; eval $X; source ./env.sh; . ./env.sh',
  'cat < in > out 2>&1 >> log <> rw >| clob &> all &>> alla <&0 >&- 2>err <<< "$HOME/s"',
  'cat <<EOF > out\n$(rm -rf /)\nEOF',
  'declare -x A=/etc B; local C=1; export D; readonly E=$HOME',
  '[[ -f /etc/passwd && $X == y ]] && test -d /tmp',
  'X=1 Y=$HOME cmd $X; read Z; echo $Z; for i in a b; do echo $i; done; cd /tmp; echo $PWD ~+',
  'f() { rm -rf "$1"; }; f /; (cd /; ls) | grep x & wait',
  'let n=1+2; ((m=3)); echo ${n:=4} $n $m',
  'echo "unterminated',
  'if then fi',
];

describe('readShellCommand', () => {
  it.each(commands)('%s', (command) => {
    expect(JSON.stringify(readShellCommand(command, env), null, 1)).toMatchSnapshot();
  });

  it('bounds what it reads: nesting, size and word count', () => {
    const nested = (n: number): string => (n === 0 ? 'cat /etc/passwd' : `bash -c ${JSON.stringify(nested(n - 1))}`);
    expect(JSON.stringify(readShellCommand(nested(8), env))).toMatchSnapshot();
    expect(readShellCommand(`echo ${'a '.repeat(9000)}`, env).opaque).toEqual([
      'the command is over 16 KB, too long to judge',
    ]);
    expect(readShellCommand(`echo ${'a '.repeat(4001)}`, env).opaque).toEqual([
      'the command has over 4000 words, too many to judge',
    ]);
    expect(readShellCommand(`echo ${'$('.repeat(3000)}${')'.repeat(3000)}`, env).opaque).toEqual([
      'the command is nested too deeply to judge',
    ]);
  }, 60_000);
});

describe('expandBraces', () => {
  const chars = (s: string): WordToken[] => [...s].map((ch) => ({ ch, quoted: false }));
  const fields = (s: string) => {
    const out = expandBraces(chars(s));
    return out === 'too many' ? out : out.map((f) => f.map((t) => ('ch' in t ? t.ch : '$')).join(''));
  };
  it('stops at 256 fields, counting the way bash builds them', () => {
    expect([
      fields('{1..256}').length,
      fields('{1..257}'),
      fields('{a,b}{1..128}').length,
      fields('{a,b}{1..129}'),
      fields('{1..255}{,}'),
      fields('{a,{1..254}}x{,}'),
    ]).toMatchSnapshot();
    expect([
      fields('{-3..3..2}'),
      fields('{z..w}'),
      fields('{-05..5..5}'),
      fields('{a..3}'),
      fields('a{b,c{d,e}}f{g,h}'),
      fields('{a,b'),
    ]).toMatchSnapshot();
  });
});
