// One plain closing line ("N passed, N failed, N skipped") for CI to read. A file that failed outside its tests
// (an afterAll, such as the leak check of setup-runtime.ts, or an import) and an unhandled error count as failures.
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const outside: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      if (m.state() === 'failed' && ![...m.children.allTests('failed')].length) outside.push(m.moduleId);
    }
    counts.failed += outside.length + unhandled.length;
    const where = outside.length ? ` (failed outside a test: ${outside.join(', ')})` : '';
    const errors = unhandled.length ? ` (${unhandled.length} unhandled error${unhandled.length === 1 ? '' : 's'})` : '';
    process.stdout.write(
      `\nvitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${where}${errors}\n`,
    );
  }
}
