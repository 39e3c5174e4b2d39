import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/sequencer.js';

// Four projects: unit (pure, no services), integration (a Temporal dev server started by the
// global setup, SQLite and PostgreSQL, fake providers), e2e (the dashboard in chromium) and security
// (attacks on the gate, the sandbox, the tools and the app bridge, run for real).
// Tests wait on conditions with their own deadlines; the per-test limit only catches a hang, so it leaves room for a loaded CI machine.
// One process per worker runs its files without a fresh import of the harness each (imports cost ~2 s a file);
// what a file starts it stops (setup-runtime.ts fails a file that leaves a process group running).
const withServices = {
  setupFiles: ['test/setup-runtime.ts'],
  isolate: false,
  testTimeout: 120_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    // One Temporal dev server and workflow bundle for the three projects with services, started once (not once each).
    globalSetup: ['test/global-setup.ts'],
    // Longest file first across projects: the wall time is then close to the total over the workers.
    sequence: { sequencer: LongestFirstSequencer },
    pool: 'forks',
    // Three files at a time on two cores: the files with services wait (dev servers, timeouts, killed workers)
    // a third of the time, so two workers left the CPU 30-40% idle; three cut the suite from 566 s to 475 s here.
    maxWorkers: 3,
    fileParallelism: true,
    projects: [
      // Unit files hold no global state between them: one process runs them all, without a fresh import each.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/workflows/**/*.test.ts'],
          ...withServices,
        },
      },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...withServices } },
      { test: { name: 'security', include: ['test/security/**/*.test.ts'], ...withServices } },
    ],
  },
});
