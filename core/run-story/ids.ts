// The id grammar of a run's story, one parser and one printer: step ids, foreach items (`step[i]`), an agent's
// turns (`turn[N]`), its model calls (`agent[N]`) and tool calls (`tool[N]`), and component references
// (`name@version`, `name@label`). No imports: workflows use it, and it must not pull zod into their bundle.

/** An id taken apart: a base name and, for an indexed id (`len[2]`, `turn[0]`), its index. */
export interface IndexedId {
  base: string;
  index?: number;
}

const INDEXED_ID = /^([A-Za-z_][\w-]*)(?:\[(\d+)\])?$/;

/**
 * Parse a step id, a foreach item or an indexed call id; undefined when it follows no grammar.
 * @example parseId('len[2]') // { base: 'len', index: 2 }
 */
export function parseId(id: string): IndexedId | undefined {
  const m = INDEXED_ID.exec(id);
  if (!m) return undefined;
  return m[2] === undefined ? { base: m[1]! } : { base: m[1]!, index: Number(m[2]) };
}

/**
 * Print an id: the base alone, or `base[index]`.
 * @example printId({ base: 'turn', index: 3 }) // 'turn[3]'
 */
export function printId(id: IndexedId): string {
  return id.index === undefined ? id.base : `${id.base}[${id.index}]`;
}

/** The index of `base[N]`, or undefined when the id is not of that base. */
function indexOf(base: string, id: unknown): number | undefined {
  const p = typeof id === 'string' ? parseId(id) : undefined;
  return p?.base === base ? p.index : undefined;
}

/** One item of a foreach step: `len[2]`. */
export const itemId = (stepId: string, index: number): string => printId({ base: stepId, index });

/** The step an id belongs to: a foreach item's (`len[2]` -> `len`), or the step id itself. */
export const baseStepId = (id: string): string => parseId(id)?.base ?? id;

/** An agent's turn N, as a step: `turn[N]`. */
export const turnId = (n: number): string => printId({ base: 'turn', index: n });
/** The turn a step id names (`turn[2]` -> 2), or undefined. */
export const turnOf = (stepId: unknown): number | undefined => indexOf('turn', stepId);

/** The model call of an agent's turn N: `agent[N]`. */
export const agentCallId = (n: number): string => printId({ base: 'agent', index: n });
/** The turn an agent's model call belongs to (`agent[2]` -> 2), or undefined. */
export const agentCallOf = (callId: unknown): number | undefined => indexOf('agent', callId);

/** The tool call of an agent's turn N (also its approval's id): `tool[N]`. */
export const toolCallId = (n: number): string => printId({ base: 'tool', index: n });
/** The turn a tool call (or its approval) belongs to (`tool[2]` -> 2), or undefined. */
export const toolCallOf = (callId: unknown): number | undefined => indexOf('tool', callId);

/** The approval an agent asks for when step N goes over its budget: `budget-N`. */
export const budgetApprovalId = (step: number): string => `budget-${step}`;

/** A model call asked again after its reply could not be parsed. */
export const retryCallId = (callId: string): string => `${callId}#retry`;

/** A judge metric's model call on one eval example: `judge:<example>:<metric>`. */
export const judgeCallId = (exampleId: string, metric: string): string => `judge:${exampleId}:${metric}`;

/** An eval's run of one example: `<eval run>-<example>`, and `-r<N>` for its repeat N > 0. */
export const exampleRunId = (evalRunId: string, exampleId: string, repeat = 0): string =>
  `${evalRunId}-${exampleId}${repeat ? `-r${repeat}` : ''}`;

/** The most times an eval runs each example (`repeats`); it bounds the run ids above. */
export const MAX_REPEATS = 100;

/** An eval's example as its events and judge calls name it: the example, `<example>[N]` for its repeat N > 0. */
export const exampleRepeatId = (exampleId: string, repeat = 0): string =>
  repeat ? printId({ base: exampleId, index: repeat }) : exampleId;

/** What an optimizer's eval on dev scores: the current version, a candidate's demos, the saved version. */
export const TRIAL_LABELS = ['before', 'candidate', 'after'] as const;
/**
 * The search optimizers' evals: MIPROv2's minibatch trial N (`t<N>`) and full evaluation at trial N (`f<N>`), GEPA's
 * parent and proposal on iteration N's minibatch (`i<N>-old`, `i<N>-new`) and candidate N on the validation split
 * (`v<N>`), and both optimizers' base and best on the held-out split (`held-base`, `held-best`).
 */
export type SearchLabel =
  `t${number}` | `f${number}` | `i${number}-old` | `i${number}-new` | `v${number}` | `held-${'base' | 'best'}`;
export type TrialLabel = (typeof TRIAL_LABELS)[number] | SearchLabel;
/** No label is longer than `candidate`: LONGEST_RUN_ID (and the id columns' width) rest on it. */
const MAX_LABEL = 'candidate'.length;

/** An optimizer's eval, named by what it scores: `<optimizer run>-before`, `<optimizer run>-t12`. */
export const trialEvalRunId = (runId: string, label: TrialLabel): string => {
  if (label.length > MAX_LABEL)
    throw new Error(`an optimizer's trial label is ${MAX_LABEL} characters at most: ${label}`);
  return `${runId}-${label}`;
};

/** An optimizer's teacher run on one train example: `<optimizer run>-teacher-<example>`. */
export const teacherRunId = (runId: string, exampleId: string): string => `${runId}-teacher-${exampleId}`;

/** How long core/ids.ts `newId` makes an id past its prefix and `_`: 10 characters of time, 12 random. */
export const NEW_ID_BODY_LENGTH = 22;
const longestNewId = (prefix: string): string => `${prefix}_${'0'.repeat(NEW_ID_BODY_LENGTH)}`;

/**
 * The longest run id the harness composes (62): an example run of an optimizer's candidate eval,
 * `run_<22>-candidate-ex_<22>`. Every column that holds a run id is at least this wide on PostgreSQL
 * (db/migrations/019_run_id_width.ts; test/integration/postgres-runs.integration.test.ts checks the schema).
 */
export const LONGEST_RUN_ID = Math.max(
  ...TRIAL_LABELS.map((label) => exampleRunId(trialEvalRunId(longestNewId('run'), label), longestNewId('ex')).length),
  exampleRunId(longestNewId('run'), longestNewId('ex'), MAX_REPEATS - 1).length,
  teacherRunId(longestNewId('run'), longestNewId('ex')).length,
);

/** An app generation's round: `draft`, then `repair[N]`. */
export const roundStepId = (round: number): string =>
  round === 0 ? 'draft' : printId({ base: 'repair', index: round });

/**
 * The step an event belongs to: its `stepId`, or for an agent's model call `agent[N]` (which carries none), turn N.
 * Every fold of events into steps (the dashboard's bars, run diffs) attributes usage through this.
 * @example stepIdOf({ callId: 'agent[2]' }) // 'turn[2]'
 */
export function stepIdOf(data: { stepId?: unknown; callId?: unknown } | null | undefined): string | undefined {
  if (typeof data?.stepId === 'string') return data.stepId;
  const n = agentCallOf(data?.callId);
  return n === undefined ? undefined : turnId(n);
}

/** The version number a reference pins (`qa@3` -> 3), or undefined for a bare name or a label. */
export function refVersion(ref: string): number | undefined {
  return parseVersionRef(ref)?.version;
}

/** A component's, pipeline's or app's name as a reference spells it. */
const REF_NAME = '[a-z][a-z0-9_-]*';

/** `name`, `name@3` or `name@label`: the step's `component` grammar. */
export const VERSION_REF = new RegExp(`^(${REF_NAME})(?:@(\\d+|[a-z0-9][a-z0-9_-]*))?$`);
/** `name` or `name@3`: where a label is not taken. */
export const NUMBERED_REF = new RegExp(`^(${REF_NAME})(?:@(\\d+))?$`);
/** `name@3`: one numbered version. */
export const PINNED_REF = new RegExp(`^(${REF_NAME})@(\\d+)$`);
const KIND_REF = new RegExp(`^([a-z]+):(${REF_NAME})(?:@(\\d+))?$`);

/** A reference taken apart: exactly one of version, label or neither (the latest, as an intent). */
export type VersionRef = { name: string; version?: number; label?: string };

/**
 * Parse a reference; undefined when it does not follow the grammar.
 * @example parseVersionRef('qa@production') // { name: 'qa', label: 'production' }
 */
export function parseVersionRef(ref: string): VersionRef | undefined {
  const m = VERSION_REF.exec(ref);
  if (!m) return undefined;
  const [, name, at] = m;
  if (at === undefined) return { name: name! };
  return /^\d+$/.test(at) ? { name: name!, version: Number(at) } : { name: name!, label: at };
}

/**
 * Print a reference: `name@3`, `name@production`, or the bare name (the latest).
 * @example versionRef('qa', 3) // 'qa@3'
 */
export function versionRef(name: string, at?: number | string): string {
  return at === undefined ? name : `${name}@${at}`;
}

/**
 * A reference taken apart without judging it (what a caller checks itself, or one outside the grammar).
 * @example splitRef('qa@3') // { name: 'qa', at: '3' }
 */
export function splitRef(ref: string): { name: string; at?: string } {
  const i = ref.indexOf('@');
  return i < 0 ? { name: ref } : { name: ref.slice(0, i), at: ref.slice(i + 1) };
}

/** The name a reference names (`qa@3` -> `qa`), also for one outside the grammar. */
export const refName = (ref: string): string => splitRef(ref).name;

/**
 * What a run or an app is of, printed: `pipeline:qa-chain@1`, `component:qa@2`, `app:qa-app@1`.
 * @example kindRef('app', 'qa-app', 1) // 'app:qa-app@1'
 */
export function kindRef(kind: string, name: string, version: number): string {
  return `${kind}:${versionRef(name, version)}`;
}

/**
 * Parse what a run or an app is of (`kindRef` prints it); the version may be left out.
 * @example parseKindRef('app:qa-app@2') // { kind: 'app', name: 'qa-app', version: 2 }
 */
export function parseKindRef(ref: string): { kind: string; name: string; version?: number } | undefined {
  const m = KIND_REF.exec(ref);
  if (!m) return undefined;
  return m[3] === undefined ? { kind: m[1]!, name: m[2]! } : { kind: m[1]!, name: m[2]!, version: Number(m[3]) };
}
