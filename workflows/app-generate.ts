// Generating (or refining) an app: context -> the model drafts a view constrained to the view schema
// -> validate (schema + bindings) -> up to K repair rounds showing the model its errors -> save a new
// version with provenance. With no capable model, the deterministic scaffold is the version.
import { ApplicationFailure, proxyActivities, workflowInfo, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { CATALOG_GUIDE, validateSurface, type A2uiSurface, type Problem, type TargetShape } from '../core/a2ui.js';
import type { AppManifest } from '../core/apps.js';
import type { ChatMessage } from '../core/messages.js';
import { runNote, stepCompleted, stepFailed } from '../core/run-story/events.js';
import { roundStepId, versionRef } from '../core/run-story/ids.js';
import { runLifecycle } from './lifecycle.js';
import { record } from './run-events.js';

export interface AppGenerateInput {
  runId: string;
  /** The manifest to start from: the scaffold (generate) or the latest version (refine). */
  base: AppManifest;
  baseVersion?: number | undefined;
  shape: TargetShape;
  prompt: string;
  provider: string;
  model?: string | undefined;
  /** false for the embedded 135M model: the scaffold is saved as is. */
  capableModel: boolean;
  /** With no capable model: what the scaffold (already in `base`) took from the prompt. */
  fromPrompt?: string[] | undefined;
  /** Outputs of recent runs of the target: what the view will show. */
  examples: Array<Record<string, unknown>>;
  maxRepairs: number;
  viewSchema: Record<string, unknown>;
}

export interface AppGenerateResult {
  app: string;
  version: number;
  rounds: number;
  source: 'model' | 'scaffold';
  fromPrompt?: string[];
}

const problemText = (problems: Problem[]) => problems.map((p) => `${p.path}: ${p.message}`).join('; ');

function draftMessages(input: AppGenerateInput): ChatMessage[] {
  const spec = input.base.view.kind === 'declarative' ? input.base.view.spec : undefined;
  return [
    {
      role: 'system',
      content: `You design small UIs for AI pipelines. ${CATALOG_GUIDE}\nAnswer with the view's JSON only.`,
    },
    {
      role: 'user',
      content: [
        `The app "${input.base.name}" runs ${input.base.target.kind} ${versionRef(input.base.target.name, input.base.target.version)}.`,
        `Its inputs: ${input.shape.inputs.map((f) => `${f.name} (${f.kind})`).join(', ') || 'none'}. Its outputs: ${input.shape.outputs.map((f) => `${f.name} (${f.kind})`).join(', ') || 'none'}.`,
        ...(input.examples.length ? [`Outputs of recent runs: ${JSON.stringify(input.examples).slice(0, 2000)}`] : []),
        ...(spec ? [`The current view: ${JSON.stringify(spec)}`] : []),
        `What the user wants: ${input.prompt}`,
      ].join('\n\n'),
    },
  ];
}

/** What every step of a generation shares: its input, its activities and the key of the version it saves. */
interface Generation {
  input: AppGenerateInput;
  acts: ActivityInterfaceFor<Activities>;
  key: string;
}

type Provenance = NonNullable<AppManifest['provenance']>;

const provenance = (input: AppGenerateInput, model: string): Provenance => ({
  generationRunId: input.runId,
  model,
  prompt: input.prompt,
  ...(input.baseVersion ? { parentVersion: input.baseVersion } : {}),
});

async function generate(input: AppGenerateInput): Promise<AppGenerateResult> {
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '30s',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['ProviderRejected', 'ConfigError'] },
  });
  const g: Generation = { input, acts, key: `${workflowInfo().workflowId}:app-version` };
  if (!input.capableModel) return saveScaffold(g);
  const messages = draftMessages(input);
  let problems: Problem[] = [];
  for (let round = 0; round <= input.maxRepairs; round++) {
    const drafted = await draftRound(g, messages, round);
    if (!Array.isArray(drafted)) return drafted;
    problems = drafted;
  }
  throw ApplicationFailure.nonRetryable(
    `the drafted view still does not validate after ${input.maxRepairs} repair round(s): ${problemText(problems)}`,
    'InvalidView',
  );
}

/** With no capable model the scaffold (already in `base`) is the version, and the run says what it took from the prompt. */
async function saveScaffold({ input, acts, key }: Generation): Promise<AppGenerateResult> {
  const taken = input.fromPrompt ?? [];
  const message = `the provider is the embedded model, which does not design views: the view is the scaffold from the target's fields${taken.length ? `; from the description it took ${taken.join('; ')}` : ', and nothing in the description was used'}`;
  await record(input.runId, [runNote('scaffold', 'info', message)]);
  const { version } = await acts.saveAppVersion({
    manifest: {
      ...input.base,
      provenance: { ...provenance(input, 'scaffold'), ...(input.fromPrompt ? { fromPrompt: taken } : {}) },
    },
    idempotencyKey: key,
  });
  return {
    app: input.base.name,
    version,
    rounds: 0,
    source: 'scaffold',
    ...(input.fromPrompt ? { fromPrompt: taken } : {}),
  };
}

/** One round: draft, validate, and save the view when it validates (the result); else the problems, shown to the model for the next round. */
async function draftRound(
  { input, acts, key }: Generation,
  messages: ChatMessage[],
  round: number,
): Promise<AppGenerateResult | Problem[]> {
  const stepId = roundStepId(round);
  const draft = await acts.draftAppView({
    runId: input.runId,
    callId: stepId,
    provider: input.provider,
    model: input.model,
    messages,
    jsonSchema: input.viewSchema,
  });
  const problems =
    draft.spec === undefined
      ? [{ path: '/', message: draft.parseError ?? 'not JSON' }]
      : validateSurface(draft.spec, input.shape);
  if (!problems.length) {
    await record(input.runId, [stepCompleted({ stepId, outputs: { valid: true } })]);
    const manifest: AppManifest = {
      ...input.base,
      view: { kind: 'declarative', spec: draft.spec as A2uiSurface },
      provenance: provenance(input, draft.model),
    };
    const { version } = await acts.saveAppVersion({ manifest, idempotencyKey: key });
    return { app: input.base.name, version, rounds: round, source: 'model' };
  }
  await record(input.runId, [stepFailed({ stepId, error: `the view does not validate: ${problemText(problems)}` })]);
  // A2UI's prompt-generate-validate loop: the errors go back to the model in its standard format.
  const errors = problems.map((p) => ({
    code: 'VALIDATION_FAILED',
    surfaceId: input.base.name,
    path: p.path,
    message: p.message,
  }));
  messages.push(
    { role: 'assistant', content: draft.text },
    {
      role: 'user',
      content: `That view does not validate:\n${JSON.stringify(errors, null, 2)}\nAnswer with the whole corrected view.`,
    },
  );
  return problems;
}

export async function appGenerateWorkflow(input: AppGenerateInput): Promise<AppGenerateResult> {
  const header = {
    runId: input.runId,
    kind: 'generate',
    target: { type: 'app', name: input.base.name, version: input.baseVersion ?? 0 },
    inputs: { prompt: input.prompt, target: input.base.target },
  };
  return runLifecycle(header, () => generate(input), { outputs: (r) => ({ ...r }) });
}
