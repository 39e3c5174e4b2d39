// A test is an edge like the CLI: it builds the one configuration from an explicit environment.
import { inject } from 'vitest';
import { configFromEnv, type HarnessConfig } from '../../config/index.js';

export interface TestConfigOptions {
  dir: string;
  workspace?: string | undefined;
  address?: string | undefined;
  taskQueue?: string | undefined;
  /** More variables, as a user would set them (LOCAL_MODEL_PATH, TOOLS_POLICY_PATH, …). */
  env?: Record<string, string | undefined> | undefined;
}

export function testConfig(o: TestConfigOptions): HarnessConfig & { temporal: { address: string } } {
  const c = configFromEnv(
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CHROMIUM_PATH: process.env.CHROMIUM_PATH,
      VLOOP_PROJECT_DIR: o.dir,
      HARNESS_WORKSPACE: o.workspace,
      HARNESS_PORT: '0',
      HARNESS_APPS_PORT: '0',
      VLOOP_WORKFLOW_BUNDLE: inject('workflowBundle'),
      TEMPORAL_ADDRESS: o.address ?? inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: o.taskQueue,
      ...o.env,
    },
    process.cwd(),
  );
  return { ...c, temporal: { ...c.temporal, address: c.temporal.address! } };
}
