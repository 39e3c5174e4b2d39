// Class 11: a crash of the backend takes its children down. `harness up` killed with SIGKILL (what a
// crash looks like from outside) must not leave its Temporal dev server running, orphaned.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { processAlive, spawnHarness, until, type HarnessProcess } from '../helpers/processes.js';
import { TOKEN } from '../helpers/stack.js';

/** The pids of the Temporal dev servers whose command line names `dir` (their history file is in it). */
function devServersIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('start-dev') && cmdline.some((a) => a.startsWith(dir))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-lifetime-'));
let up: HarnessProcess | undefined;

afterAll(async () => {
  await up?.kill('SIGKILL');
  // Whatever the outcome, this test leaves nothing running.
  for (const pid of devServersIn(projectDir)) process.kill(pid, 'SIGKILL');
  fs.rmSync(projectDir, { recursive: true, force: true });
});

describe('process lifetime', () => {
  it('SIGKILL of `harness up` takes its Temporal dev server down', async () => {
    const devPort = await freePort();
    up = spawnHarness(['up', '--no-example'], {
      HARNESS_PORT: String(await freePort()),
      HARNESS_APPS_PORT: String(await freePort()),
      HARNESS_TOKEN: TOKEN,
      VLOOP_PROJECT_DIR: projectDir,
      // No TEMPORAL_ADDRESS: `harness up` starts and owns its dev server.
      TEMPORAL_ADDRESS: '',
      TEMPORAL_DEV_PORT: String(devPort),
      TEMPORAL_DEV_UI_PORT: String(await freePort()),
      TEMPORAL_CLI_PATH: inject('temporalCli'),
      LM_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-lifetime-0123456789abcdef',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      LM_MODEL: 'fake-model',
    });
    await up.waitFor('running; press Ctrl-C to stop', 90_000);
    const servers = devServersIn(projectDir);
    expect(servers, 'harness up started one dev server').toHaveLength(1);
    expect(await answers(devPort)).toBe(true);

    // The process alone, as a crash looks from outside: its group is left to its watchdog.
    await up.killLeader('SIGKILL');
    await until(
      () => !processAlive(servers[0]!),
      `the orphaned dev server (pid ${servers[0]}) to end after harness up was killed`,
      20_000,
    );
    await until(async () => !(await answers(devPort)), `port ${devPort} to stop answering`, 10_000);
    expect(devServersIn(projectDir)).toEqual([]);
  });
});
