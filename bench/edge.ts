// A benchmark is an edge: it reads the user's configuration (to find the Temporal CLI they set up)
// and builds its own for the throwaway project it measures in.
import { configFromEnv, type HarnessConfig } from '../config/index.js';
import { findTemporalCli, INSTALL_HINT } from '../temporal/cli-path.js';

const user = configFromEnv(process.env, process.cwd());

/** The Temporal CLI the user's setup installed (TEMPORAL_CLI_PATH, PATH or .vloop/bin). */
export function benchTemporalCli(): string {
  const cli = findTemporalCli({ cliPath: user.temporal.cliPath, searchPath: user.searchPath, binDir: user.paths.bin });
  if (!cli) throw new Error(INSTALL_HINT);
  return cli;
}

/** The user's model files (the embedded model lives in their project). */
export const userModels = user.models;

/** The configuration of a benchmark's own project in `dir`, against a dev server at `address`. */
export function benchConfig(dir: string, address: string, taskQueue: string, env: Record<string, string> = {}): HarnessConfig & { temporal: { address: string } } {
  const c = configFromEnv({ PATH: process.env.PATH, HOME: process.env.HOME, VLOOP_PROJECT_DIR: dir, HARNESS_PORT: '0', HARNESS_APPS_PORT: '0', TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: taskQueue, ...env }, process.cwd());
  return { ...c, temporal: { ...c.temporal, address } };
}

/** Extra dynamic config for the dev server (BENCH_DC=key=value,…). */
export const benchDynamicConfig = (process.env.BENCH_DC ?? '').split(',').filter(Boolean);
/** Where step-overhead dumps the last run's history, if asked. */
export const benchHistoryDump = process.env.BENCH_DUMP_HISTORY;
/** The PostgreSQL server benchmarks may create a throwaway database on (VLOOP_TEST_PG_URL, as the tests). */
export const benchPgUrl = process.env.VLOOP_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
