// The command palette's search: any run by a fragment (the start) of its id, components, pipelines, apps and
// datasets by name or id, evals by their target's name; each result names the dashboard page that shows it.
import { z } from 'zod';
import {
  evalsOfTargets,
  headsByName,
  runsByIdPrefix,
  type FoundHead,
  type FoundRun,
  type HeadTable,
} from '../../db/repositories/search.js';
import type { AppContext } from '../context.js';

export type SearchKind = 'run' | 'component' | 'pipeline' | 'app' | 'eval' | 'dataset';

export interface SearchResult {
  kind: SearchKind;
  id: string;
  title: string;
  subtitle: string;
  /** The dashboard's path to it (under /ui). */
  to: string;
}

export const searchQuery = z.strictObject({
  q: z.string().trim().min(1, 'q needs something to look for').max(200),
});

/** Most results of each kind. */
const PER_KIND = 5;
const HEADS: Array<{ kind: Exclude<SearchKind, 'run' | 'eval'>; table: HeadTable }> = [
  { kind: 'component', table: 'components' },
  { kind: 'pipeline', table: 'pipelines' },
  { kind: 'app', table: 'apps' },
  { kind: 'dataset', table: 'datasets' },
];

/** What a run id fragment can be: its letters and digits, with or without `run_`. */
const RUN_FRAGMENT = /^(?:run_)?([0-9a-z]+)$/;

/** 0: the name or id itself, 1: the name's start, 2: within it. */
const closeness = (head: FoundHead, text: string) =>
  head.name === text || head.id === text ? 0 : head.name.startsWith(text) ? 1 : 2;

function headResult(kind: (typeof HEADS)[number]['kind'], head: FoundHead): SearchResult {
  const version = head.latestVersion === undefined ? '' : ` · v${head.latestVersion}`;
  const to = kind === 'dataset' ? `/datasets?dataset=${encodeURIComponent(head.name)}` : `/${kind}s/${head.name}`;
  return { kind, id: head.id, title: head.name, subtitle: `${kind}${version}`, to };
}

function runResult(run: FoundRun, byName = false): SearchResult {
  const kind = run.kind === 'eval' ? 'eval' : 'run';
  const target = `${run.target.name}@${run.target.version}`;
  const to = kind === 'eval' ? `/evals/${run.id}` : `/runs/${run.id}`;
  if (byName && typeof run.inputs.dataset === 'string')
    return {
      kind,
      id: run.id,
      title: `${run.target.name} on ${run.inputs.dataset}`,
      subtitle: `eval ${target} · ${run.status} · ${run.id}`,
      to,
    };
  return { kind, id: run.id, title: run.id, subtitle: `${run.kind} ${target} · ${run.status}`, to };
}

/** Named things, the closest first (then in the order of HEADS, then by name). */
async function namedThings(ctx: AppContext, text: string) {
  const found = await Promise.all(
    HEADS.map(async ({ kind, table }) =>
      (await headsByName(ctx.store, table, text, PER_KIND * 4))
        .sort((a, b) => closeness(a, text) - closeness(b, text))
        .slice(0, PER_KIND)
        .map((head) => ({ kind, head, closeness: closeness(head, text) })),
    ),
  );
  return found.flat().sort((a, b) => a.closeness - b.closeness);
}

/** Search everything the palette can open; a bad query is a ZodError (a 400). */
export async function search(ctx: AppContext, query: unknown): Promise<{ results: SearchResult[] }> {
  const text = searchQuery.parse(query).q.toLowerCase();
  const fragment = RUN_FRAGMENT.exec(text)?.[1];
  const [heads, runs] = await Promise.all([
    namedThings(ctx, text),
    fragment ? runsByIdPrefix(ctx.store, `run_${fragment}`, PER_KIND) : [],
  ]);
  const targets = heads.flatMap(({ kind, head }) =>
    kind === 'component' || kind === 'pipeline' ? [{ type: kind, name: head.name }] : [],
  );
  const evals = await evalsOfTargets(ctx.store, targets, PER_KIND);
  const results = [
    ...heads.map((h) => headResult(h.kind, h.head)),
    ...evals.map((run) => runResult(run, true)),
    ...runs.map((run) => runResult(run)),
  ];
  // An eval found both by its target's name and by its id is listed once.
  return { results: results.filter((r, i) => results.findIndex((o) => o.to === r.to) === i) };
}
