// People's feedback on a run or one of its steps (thumbs, a 1–5 score, a label from the project's list, a note),
// and the project's labels. Bad input is a 400 that names the problem; nothing is stored then.
import { z } from 'zod';
import { SpecError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { audit } from '../../db/repositories/audit.js';
import * as repo from '../../db/repositories/feedback.js';
import type { RunRow } from '../../db/models/run.js';
import type { AppContext } from '../context.js';

export const feedbackBody = z
  .strictObject({
    /** A step of the run (its id, as its events name it); none: the run as a whole. */
    stepId: z.string().min(1).max(200).optional(),
    thumbs: z.enum(['up', 'down']).optional(),
    score: z.number().int().min(1).max(5).optional(),
    label: z.string().min(1).max(64).optional(),
    note: z.string().trim().min(1).max(4000).optional(),
  })
  .refine(
    (b) => b.thumbs ?? b.score ?? b.label ?? b.note,
    'feedback needs thumbs, a score, a label or a note (one at least)',
  );

const labelName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^,]+$/, 'a label has no comma');
export const labelsBody = z
  .strictObject({ labels: z.array(z.strictObject({ name: labelName, negative: z.boolean() })).max(100) })
  .superRefine((b, ctx) => {
    const seen = new Set<string>();
    for (const l of b.labels) {
      if (seen.has(l.name))
        ctx.addIssue({ code: 'custom', path: ['labels'], message: `label '${l.name}' is named twice` });
      seen.add(l.name);
    }
  });

/** A label must be one the project defines; a step one the run has. */
async function checkRefs(ctx: AppContext, run: RunRow, req: z.infer<typeof feedbackBody>): Promise<void> {
  if (req.label !== undefined) {
    const labels = (await repo.feedbackLabels(ctx.store)).map((l) => l.name);
    if (!labels.includes(req.label))
      throw new SpecError(`unknown label '${req.label}'`, [
        {
          path: 'label',
          message: `the project's labels are ${labels.join(', ') || '(none)'}; PUT /api/feedback/labels defines them`,
        },
      ]);
  }
  if (req.stepId !== undefined) {
    const steps = await repo.runStepIds(ctx.store, run.id);
    if (!steps.includes(req.stepId))
      throw new SpecError(`run '${run.id}' has no step '${req.stepId}'`, [
        { path: 'stepId', message: `its steps are ${steps.join(', ') || '(none yet)'}` },
      ]);
  }
}

/** Rate a run or one of its steps; answers the stored feedback. */
export async function addFeedback(ctx: AppContext, run: RunRow, body: unknown): Promise<repo.Feedback> {
  const req = feedbackBody.parse(body);
  await checkRefs(ctx, run, req);
  const made = await repo.addFeedback(ctx.store, {
    id: newId('fb'),
    runId: run.id,
    stepId: req.stepId ?? null,
    thumbs: req.thumbs ?? null,
    score: req.score ?? null,
    label: req.label ?? null,
    note: req.note ?? null,
  });
  await audit(ctx.store, { actor: 'api', action: 'run.feedback', subject: run.id, details: { feedback: made.id } });
  return made;
}

export async function listFeedback(ctx: AppContext, run: RunRow) {
  return { feedback: await repo.listFeedback(ctx.store.knex, run.id) };
}

export async function deleteFeedback(ctx: AppContext, run: RunRow, id: string): Promise<void> {
  await repo.deleteFeedback(ctx.store, run.id, id);
  await audit(ctx.store, { actor: 'api', action: 'run.feedback.delete', subject: run.id, details: { feedback: id } });
}

export async function feedbackLabels(ctx: AppContext) {
  return { labels: await repo.feedbackLabels(ctx.store) };
}

/** Replace the project's labels (a label marked negative makes its feedback negative, from then on). */
export async function setFeedbackLabels(ctx: AppContext, body: unknown) {
  const { labels } = labelsBody.parse(body);
  await repo.setFeedbackLabels(ctx.store, labels);
  await audit(ctx.store, { actor: 'api', action: 'feedback.labels', subject: 'project', details: { labels } });
  return feedbackLabels(ctx);
}
