// A project whose harness exports traces runs the traced workflow bundle, built from today's code into its
// cache on first start (webpack, seconds of CPU): a test's fresh project gets the suite's build instead.
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { cachedBundleFile } from '../../temporal/bundle.js';

/** Put the suite's traced bundle where a harness of this project looks for its cached build, when `env` turns tracing on. */
export function seedTracedBundle(projectDir: string, env: Record<string, string | undefined> = {}): void {
  if (!Object.keys(env).some((k) => k.startsWith('OTEL_EXPORTER_OTLP') && env[k])) return;
  const file = cachedBundleFile(path.join(projectDir, 'cache'), true);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(inject('tracedWorkflowBundle'), file);
}
