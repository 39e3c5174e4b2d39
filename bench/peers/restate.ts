// Restate: its server (from npm) and a service whose handler runs N `ctx.run` steps (each journaled by the server
// before the next runs), called through the server's ingress. The service runs on Node 24 (its SDK needs 22+).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/helpers/ports.js';
import { PEERS_DIR, stepBody, type Engine } from './engine.js';

const NODE24 = path.resolve('.vloop/tools/node24/node');

async function until(what: string, check: () => Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`restate: ${what} did not happen in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const stopped = (p: ChildProcess) =>
  p.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => (p.once('exit', () => r()), p.kill('SIGTERM')));

export async function startRestate(fakeUrl: string): Promise<Engine> {
  const binary = path.join(PEERS_DIR, 'node_modules/@restatedev/restate-server-linux-x64/bin/restate-server');
  if (!fs.existsSync(binary)) throw new Error(`no restate-server at ${binary} (npm run setup:bench-peers)`);
  if (!fs.existsSync(NODE24)) throw new Error(`no Node 24 at ${NODE24} for the Restate SDK (npm run setup:test-tools)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peers-restate-'));
  const [ingress, admin, fabric, pgsql, service] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  const env = { ...process.env, RESTATE_LOG_FILTER: 'warn' };
  const server = spawn(binary, ['--base-dir', dir, '--node-name', 'bench', '--bind-address', `127.0.0.1:${fabric}`], {
    env: {
      ...env,
      RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingress}`,
      RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${admin}`,
      RESTATE_ADMIN__QUERY_ENGINE__PGSQL_BIND_ADDRESS: `127.0.0.1:${pgsql}`,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const svc = spawn(NODE24, [path.resolve('bench/peers/restate-service.mjs')], {
    env: { ...env, PEERS_DIR, SERVICE_PORT: String(service), FAKE_URL: fakeUrl, STEP_BODY: stepBody() },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  for (const p of [server, svc]) p.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const close = async () => {
    await Promise.all([stopped(server), stopped(svc)]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('the admin API answering', async () => (await fetch(`http://127.0.0.1:${admin}/health`)).ok);
    await until('the service registered', async () => {
      const r = await fetch(`http://127.0.0.1:${admin}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri: `http://127.0.0.1:${service}` }),
      });
      return r.ok;
    });
    await until('the ingress answering', async () => (await fetch(`http://127.0.0.1:${ingress}/restate/health`)).ok);
  } catch (err) {
    await close();
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    name: 'restate',
    durability: 'Restate 1.7 (its own log, ctx.run)',
    async chain(steps) {
      const res = await fetch(`http://127.0.0.1:${ingress}/chain/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(steps),
      });
      if (!res.ok) throw new Error(`restate chain: ${res.status} ${await res.text()}`);
    },
    close,
  };
}
