// One Temporal dev server and one workflow bundle for the whole test run.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { configFromEnv } from '../config/index.js';
import { findTemporalCli, INSTALL_HINT } from '../temporal/cli-path.js';
import { writeBundle } from '../temporal/bundle.js';
import { startDevServer } from '../temporal/dev-server.js';
import { longPollConfig } from './helpers/long-poll.js';
import { freePort, PORTS_DIR_ENV } from './helpers/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
    workflowBundle: string;
    /** The same workflows with tracing's interceptors (what a harness with an OTLP endpoint runs). */
    tracedWorkflowBundle: string;
    pgUrl: string;
    /** The dev server's SQLite file and Web UI: what an attacker on the machine could read. */
    temporalDbFile: string;
    temporalUiUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // Run from the root config, once for every project: a run of the unit project alone starts nothing.
  // The projects with services are the ones with setup files (vitest.config.ts's withServices).
  if (!project.vitest.projects.some((p) => p.config.setupFiles.length > 0)) return;
  // The harness processes tests start run the compiled CLI: compiled once here, not by each start at once.
  execFileSync(process.execPath, ['bin/build.js'], { stdio: 'ignore' });
  // The suite's edge: the CLI the developer's setup installed (TEMPORAL_CLI_PATH, PATH or .vloop/bin).
  const user = configFromEnv(process.env, process.cwd());
  const cli = findTemporalCli({ cliPath: user.temporal.cliPath, searchPath: user.searchPath, binDir: user.paths.bin });
  if (!cli) throw new Error(`integration tests need a Temporal dev server: ${INSTALL_HINT}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-test-'));
  // Ports are claimed here, once per run, so two workers never hand out the same one (the workers fork after this).
  process.env[PORTS_DIR_ENV] = path.join(dir, 'ports');
  fs.mkdirSync(process.env[PORTS_DIR_ENV]);
  const bundle = path.join(dir, 'workflows.js');
  const traced = path.join(dir, 'workflows-traced.js');
  const [started, bundled, tracedBundled] = await Promise.allSettled([
    startDevServer({
      cliPath: cli,
      dbFile: path.join(dir, 'temporal.db'),
      port: await freePort(),
      uiPort: await freePort(),
      logFile: path.join(dir, 'temporal.log'),
      dynamicConfig: [longPollConfig],
    }),
    writeBundle(bundle),
    // On the other core: webpack holds the thread that builds the plain bundle.
    promisify(execFile)(process.execPath, ['bin/run-ts.js', 'test/helpers/write-bundle.ts', traced, 'traced']),
  ]);
  // A setup that fails returns no teardown: the dev server it did start is stopped here, not left running.
  const failed = [started, bundled, tracedBundled].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (started.status === 'rejected' || failed) {
    if (started.status === 'fulfilled') await started.value.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw failed?.reason;
  }
  const server = started.value;
  project.provide('temporalAddress', server.address);
  project.provide('temporalDbFile', path.join(dir, 'temporal.db'));
  project.provide('temporalUiUrl', server.uiUrl);
  project.provide('temporalCli', cli);
  project.provide('workflowBundle', bundle);
  project.provide('tracedWorkflowBundle', traced);
  project.provide('pgUrl', process.env.VLOOP_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test');
  return async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
