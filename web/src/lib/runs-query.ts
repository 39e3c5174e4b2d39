// The runs list's filters as GET /api/runs spells them: one spelling for the table's pages and "Add all matching".

export interface RunsFilter {
  kind?: string | null;
  status?: string | null;
  /** Words in the runs' inputs or outputs. */
  search?: string | null;
  target?: string | null;
  origin?: string | null;
  /** Created at most this long ago. */
  withinMs?: number | null;
  /** Created at or after `since`, before `until` (ISO 8601; with withinMs, the later start holds). */
  since?: string | null;
  until?: string | null;
  /** Made a model call to this provider / with this model. */
  provider?: string | null;
  model?: string | null;
  /** negative | positive | any | none */
  feedback?: string | null;
}

/** A moment as the API spells it (ISO 8601 in UTC), from any form Date reads (a link's `2026-12-01`); null if none. */
function isoOf(t: string | null | undefined): string | null {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The later of an absolute start and a relative one (at most `withinMs` ago). */
function sinceOf(f: RunsFilter, now: number): string | null {
  const relative = f.withinMs ? new Date(now - f.withinMs).toISOString() : null;
  const since = isoOf(f.since);
  if (!relative || !since) return relative ?? since;
  return Date.parse(since) > Date.parse(relative) ? since : relative;
}

/** Only the filters that are set. @example runsFilterQuery({ kind: 'agent', search: ' x ' }) // { kind: 'agent', q: 'x' } */
export function runsFilterQuery(f: RunsFilter, now = Date.now()): Record<string, string> {
  const since = sinceOf(f, now);
  return {
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.search?.trim() ? { q: f.search.trim() } : {}),
    ...(f.target?.trim() ? { target: f.target.trim() } : {}),
    ...(f.origin ? { origin: f.origin } : {}),
    ...(since ? { since } : {}),
    ...(isoOf(f.until) ? { until: isoOf(f.until)! } : {}),
    ...(f.provider?.trim() ? { provider: f.provider.trim() } : {}),
    ...(f.model?.trim() ? { model: f.model.trim() } : {}),
    ...(f.feedback ? { feedback: f.feedback } : {}),
  };
}
