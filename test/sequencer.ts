// The suite's order: one project after another, the longest project first, and in each the longest file first (LPT),
// so a long file such as the chaos soak starts at once instead of running alone at the end while the other worker
// idles. A project's files run back to back because vitest hands a non-isolated worker the next file only when that
// file is of the same project: interleaved, every switch ended the worker and a fresh one imported the harness again
// (30 workers in a run instead of 8). A file's length is vitest's own last measurement on this machine, else the
// committed table (a fresh clone, CI), else a guess from its size.
import fs from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const TABLE = path.join(import.meta.dirname, 'durations.json');

/** Seconds per `project:path` from a past run (`node bin/test-durations.js <vitest json report>` writes it). */
function committedDurations(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(TABLE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

export default class LongestFirstSequencer extends BaseSequencer {
  private readonly table = committedDurations();

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (spec: TestSpecification): number => {
      const key = `${spec.project.name}:${path.relative(root, spec.moduleId)}`;
      const measured = this.ctx.cache.getFileTestResults(key)?.duration;
      if (measured) return measured / 1000;
      if (this.table[key] !== undefined) return this.table[key];
      // Unknown: about a second per 4 KB of test, which ranks a new file among its peers.
      return (fs.statSync(spec.moduleId).size / 4096) * 1;
    };
    const order = files.map((spec) => ({ spec, project: spec.project.name, s: seconds(spec) }));
    const projectSeconds = new Map<string, number>();
    for (const o of order) projectSeconds.set(o.project, (projectSeconds.get(o.project) ?? 0) + o.s);
    const byProject = (a: (typeof order)[0], b: (typeof order)[0]) =>
      projectSeconds.get(b.project)! - projectSeconds.get(a.project)! || a.project.localeCompare(b.project);
    return order.sort((a, b) => byProject(a, b) || b.s - a.s).map((x) => x.spec);
  }
}
