// A stack whose every part can be SIGKILLed and started again: its own Temporal dev server (same database file), a
// backend without a worker and a worker, each in a process group of its own, and the API behind its token.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, inject } from 'vitest';
import { startDevServer, type DevServer } from '../../temporal/dev-server.js';
import { apiClient } from './api-client.js';
import { freePort } from './ports.js';
import { restartable } from './restartable.js';

export type KillableStack = Awaited<ReturnType<typeof startKillableStack>>;

/** Start it in `dir` (the caller removes it); `stop` ends whatever is up. */
export async function startKillableStack(dir: string, o: { token: string; queue: string }) {
  const serverOptions = {
    cliPath: inject('temporalCli'),
    dbFile: path.join(dir, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    logFile: path.join(dir, 'temporal.log'),
  };
  let temporal: DevServer = await startDevServer(serverOptions);
  const port = await freePort();
  const env = {
    VLOOP_PROJECT_DIR: path.join(dir, 'project'),
    HARNESS_PORT: String(port),
    HARNESS_APPS_PORT: String(await freePort()),
    HARNESS_TOKEN: o.token,
    HARNESS_WORKSPACE: dir,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: o.queue,
    VLOOP_WORKFLOW_BUNDLE: inject('workflowBundle'),
  };
  const backend = restartable('backend', ['backend', '--no-worker'], env, 'backend listening', () => {});
  const worker = restartable('worker', ['worker'], env, 'worker polling', () => {});
  const stop = async () => {
    for (const end of [() => worker.kill(), () => backend.kill(), () => temporal.stop('SIGKILL')])
      await Promise.resolve()
        .then(end)
        .catch(() => {});
  };
  try {
    await backend.start();
    await worker.start();
  } catch (err) {
    await stop();
    throw err;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    port,
    url,
    backend,
    worker,
    /** The API as the token's holder: the parsed answer, or an error naming the status and body. */
    api: apiClient(url, o.token).ok,
    stop,
    /** SIGKILL the dev server and start it again on the same database file. */
    async restartTemporal() {
      await temporal.stop('SIGKILL');
      temporal = await startDevServer(serverOptions);
    },
  };
}

/** A suite's scratch directory and what to stop after it, newest first (each stop's failure ignored), then removed. */
export function scratchSuite(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const stops: Array<() => unknown> = [];
  afterAll(async () => {
    for (const stop of stops.reverse())
      await Promise.resolve()
        .then(stop)
        .catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, stops };
}
