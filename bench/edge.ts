// A benchmark is an edge: it reads the user's configuration and the environment's knobs. The Temporal CLI
// they set up and the throwaway project a benchmark measures in are test/helpers/throwaway-stack.ts's.
import { configFromEnv } from '../config/index.js';

const user = configFromEnv(process.env, process.cwd());

/** The user's model files (the embedded model lives in their project). */
export const userModels = user.models;

/** Extra dynamic config for the dev server (BENCH_DC=key=value,…). */
export const benchDynamicConfig = (process.env.BENCH_DC ?? '').split(',').filter(Boolean);
/** Where step-overhead dumps the last run's history, if asked. */
export const benchHistoryDump = process.env.BENCH_DUMP_HISTORY;
/** The PostgreSQL server benchmarks may create a throwaway database on (VLOOP_TEST_PG_URL, as the tests). */
export const benchPgUrl = process.env.VLOOP_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
