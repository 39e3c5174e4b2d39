// A process a test starts is stopped with everything it started (its process group), a failed start included,
// and one a test forgets is found at the file's end: a leak under load takes ports and CPU from the files after it.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { endLeftovers, groupMembers, spawnGroup } from '../helpers/process-groups.js';
import { spawnHarness, until, type HarnessProcess } from '../helpers/processes.js';
import { TOKEN } from '../helpers/stack.js';

/** Processes whose command line names `dir` (a dev server's history file in the project). */
function processesNaming(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(dir)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

const dirs: string[] = [];
const started: HarnessProcess[] = [];

/** `harness up` owning its own Temporal dev server (on free ports) in a new project. */
async function upWithItsOwnTemporal(env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-groups-'));
  dirs.push(dir);
  const up = spawnHarness(['up', '--no-example'], {
    HARNESS_PORT: String(await freePort()),
    HARNESS_APPS_PORT: String(await freePort()),
    HARNESS_TOKEN: TOKEN,
    VLOOP_PROJECT_DIR: dir,
    TEMPORAL_ADDRESS: '',
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_DEV_UI_PORT: String(await freePort()),
    TEMPORAL_CLI_PATH: inject('temporalCli'),
    LM_PROVIDER: 'openai',
    OPENAI_API_KEY: 'sk-groups-0123456789abcdef',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    LM_MODEL: 'fake-model',
    ...env,
  });
  started.push(up);
  return { up, dir };
}

afterAll(async () => {
  for (const up of started) await up.kill();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('process groups', () => {
  it('a harness up that cannot bind its port leaves nothing running: no dev server, no watchdog', async () => {
    const taken = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const { up, dir } = await upWithItsOwnTemporal({ HARNESS_APPS_PORT: String(port) });
      expect(await up.exitCode).not.toBe(0);
      expect(up.output()).toMatch(/EADDRINUSE|in use/);
      // It started its dev server before it failed (its history is in the project): that server is gone too.
      expect(fs.existsSync(path.join(dir, 'temporal.db'))).toBe(true);
      await until(() => groupMembers(up.child.pid!).length === 0, 'the failed start to leave its process group empty');
      expect(processesNaming(dir)).toEqual([]);
    } finally {
      taken.close();
    }
  });

  it("kill ends the whole group at once: harness up's dev server does not outlive the call", async () => {
    const { up, dir } = await upWithItsOwnTemporal();
    await up.waitFor('running; press Ctrl-C to stop', 90_000);
    expect(processesNaming(dir).some((p) => p.includes('start-dev'))).toBe(true);
    expect(groupMembers(up.child.pid!).length).toBeGreaterThan(1);
    await up.kill('SIGKILL');
    expect(groupMembers(up.child.pid!)).toEqual([]);
    expect(processesNaming(dir)).toEqual([]);
  });

  it("a group a test leaves running is named and ended at the file's end", async () => {
    const forgotten = spawnGroup('two sleeps', 'sh', ['-c', 'sleep 300 & sleep 300 & wait'], { stdio: 'ignore' });
    await until(() => groupMembers(forgotten.pid!).length === 3, 'the shell and its two sleeps');
    expect(await endLeftovers()).toEqual([`two sleeps (pid ${forgotten.pid}, group of 3)`]);
    expect(groupMembers(forgotten.pid!)).toEqual([]);
    expect(await endLeftovers()).toEqual([]);
  });
});
