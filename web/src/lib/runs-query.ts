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
}

/** Only the filters that are set. @example runsFilterQuery({ kind: 'agent', search: ' x ' }) // { kind: 'agent', q: 'x' } */
export function runsFilterQuery(f: RunsFilter, now = Date.now()): Record<string, string> {
  return {
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.search?.trim() ? { q: f.search.trim() } : {}),
    ...(f.target?.trim() ? { target: f.target.trim() } : {}),
    ...(f.origin ? { origin: f.origin } : {}),
    ...(f.withinMs ? { since: new Date(now - f.withinMs).toISOString() } : {}),
  };
}
