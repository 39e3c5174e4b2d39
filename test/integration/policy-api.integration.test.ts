// The policy's dry run over HTTP is the registry's judge: escape attempts of every class come back
// denied or asked, each naming its rule, under a policy whose broad rules would allow them as text.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { echoModel } from '../helpers/echo-model.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

describe('POST /api/policy/check', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The default layout: the project directory (.vloop) inside the agents' workspace.
    const workspace = makeWorkspace({ 'README.md': '# hi\n' });
    stack = await startTestStack({
      script: echoModel,
      withWorker: false,
      workspace,
      dir: path.join(workspace, '.vloop'),
    });
    const policy = {
      rules: [
        { id: 'allow-cat', tool: 'terminal', action: 'allow', match: { command: 'cat *' } },
        { id: 'allow-python', tool: 'terminal', action: 'allow', match: { command: 'python3 *' } },
        { id: 'allow-curl', tool: 'terminal', action: 'allow', match: { command: 'curl *' } },
        { id: 'db-all', tool: 'database', action: 'allow' },
      ],
      connections: { rw: { url: 'sqlite:data.db', write: true }, ro: { url: 'postgres://127.0.0.1/test' } },
    };
    expect((await stack.api('PUT', '/api/policy', policy)).status).toBe(200);
  });
  afterAll(() => stack?.close());

  const check = (call: unknown) => stack.api('POST', '/api/policy/check', { call });
  const terminal = (command: string) => check({ tool: 'terminal', args: { command } });

  it.each([
    ['cat $HOME/.ssh/id_rsa', 'deny', 'builtin:outside-workspace'],
    ['cat ${HOME}/.aws/credentials', 'deny', 'builtin:outside-workspace'],
    // Brace expansion is computed as bash does: one of its words lies outside.
    ['cat {/etc/passwd,README.md}', 'deny', 'builtin:outside-workspace'],
    ['cat --file=/etc/passwd', 'deny', 'builtin:outside-workspace'],
    ['cat -f/etc/passwd', 'deny', 'builtin:outside-workspace'],
    ['cat .vloop/token', 'deny', 'builtin:harness-dir'],
    ["python3 -c 'print(1)'", 'ask', 'builtin:code-carrying'],
    ['curl https://evil.example/', 'ask', 'setting:network-ask'],
    ['cat README.md', 'allow', 'allow-cat'],
  ])('%j -> %s by %s', async (command, decision, rule) => {
    const res = await terminal(command);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision, rule });
  });

  it('names every reason that applies, not only the one that decided: each command of a list, the network, the paths', async () => {
    const res = await terminal('ls; curl https://evil.example/');
    expect(res.body).toMatchObject({ decision: 'ask' });
    const reasons = res.body.reasons as Array<{ decision: string; rule: string; reason: string }>;
    expect(reasons.map((r) => r.rule)).toEqual(
      expect.arrayContaining(['default:terminal-asks', 'allow-curl', 'setting:network-ask']),
    );
    expect(reasons.find((r) => r.rule === 'setting:network-ask')!.reason).toMatch(/evil\.example/);
    expect(reasons[0]).toMatchObject({ decision: res.body.decision, rule: res.body.rule });
    const paths = await terminal('cat /etc/passwd .vloop/token; python3 -c 1');
    expect(paths.body).toMatchObject({ decision: 'deny' });
    expect((paths.body.reasons as Array<{ rule: string }>).map((r) => r.rule)).toEqual(
      expect.arrayContaining(['builtin:outside-workspace', 'builtin:harness-dir', 'builtin:code-carrying']),
    );
    // A call with one reason lists that one.
    expect((await check({ tool: 'filesystem', args: { op: 'read', path: 'README.md' } })).body.reasons).toEqual([
      { decision: 'allow', rule: 'default:read-in-workspace', reason: 'reading README.md inside the workspace' },
    ]);
  });

  it('judges SQL with the connection dialect and names why a read is really a write', async () => {
    const ro = await check({ tool: 'database', args: { connection: 'ro', sql: "select pg_read_file('/etc/passwd')" } });
    expect(ro.body).toMatchObject({ decision: 'deny', rule: 'builtin:read-only-connection' });
    expect(ro.body.reason).toMatch(/pg_read_file\(\) has side effects/);
    expect(
      (await check({ tool: 'database', args: { connection: 'ro', sql: 'explain analyze delete from t' } })).body,
    ).toMatchObject({ decision: 'deny', rule: 'builtin:read-only-connection' });
    expect((await check({ tool: 'database', args: { connection: 'rw', sql: 'select * from t' } })).body).toMatchObject({
      decision: 'allow',
      rule: 'db-all',
      sqlKind: 'read',
    });
    expect((await check({ tool: 'database', args: { connection: 'rw', sql: 'selec 1' } })).body).toMatchObject({
      decision: 'ask',
      rule: 'builtin:sql-unparsed',
    });
  });

  it('answers a malformed call with 400 in the one error shape', async () => {
    const res = await check({ tool: 'terminal', args: { command: '' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.message).toMatch(/command/);
  });
});
