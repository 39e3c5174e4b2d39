// DSPy programs in and out: a saved program becomes component versions; a version is written back as one.
import { z } from 'zod';
import { exportDspyProgram, importDspyProgram } from '../../core/dspy-program.js';
import { NAME } from '../../core/specs.js';
import { components } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { addComponentVersion, checkComponent, createComponent } from './specs.js';
import type { Head } from './versioned.js';

export const dspyImportBody = z.strictObject({
  name: NAME,
  /** The JSON that DSPy's `program.save("x.json")` wrote. */
  program: z.unknown(),
  provider: NAME,
  /** Field names, sides and types ("question -> answer: int"); types default to str. */
  signature: z.string().min(3).optional(),
  model: z.string().min(1).optional(),
});

/** One component per predictor (`<name>-<predictor>` when the program has several); all are checked before any is stored. */
export async function importDspy(ctx: AppContext, body: unknown) {
  const req = dspyImportBody.parse(body);
  const predictors = importDspyProgram(req.program, req.signature);
  const slug = (key: string) =>
    key
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const specs = [];
  for (const p of predictors) {
    const name = predictors.length === 1 ? req.name : `${req.name}-${slug(p.key)}`.slice(0, 64);
    specs.push(
      await checkComponent(ctx, {
        name,
        ...p.spec,
        provider: req.provider,
        ...(req.model ? { model: req.model } : {}),
      }),
    );
  }
  const existing = new Set((await components.list(ctx.store)).map((c) => c.name));
  const saved = [];
  for (const spec of specs) {
    const head = existing.has(spec.name)
      ? await addComponentVersion(ctx, spec.name, spec)
      : await createComponent(ctx, spec);
    saved.push({ name: spec.name, version: head.latestVersion, kind: spec.kind });
  }
  return { components: saved };
}

export async function exportDspy(ctx: AppContext, head: Head, version?: number) {
  const v = await components.getVersion(ctx.store, head.id, version);
  return exportDspyProgram(v.spec);
}
