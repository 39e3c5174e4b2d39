// A page's filters and tabs kept in the URL's query, so any view is a permalink and back/forward restore it.
import { reactive, watch } from 'vue';
import { useRoute, useRouter, type LocationQuery } from 'vue-router';

export type UrlValue = string | number | boolean | null;

/** One value from the URL, typed like its default (a null default reads as a string); undefined: absent or unreadable. */
export function parseUrlValue(raw: LocationQuery[string] | undefined, fallback: UrlValue): UrlValue | undefined {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === null || text === undefined || text === '') return undefined;
  if (typeof fallback === 'number') {
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof fallback === 'boolean') return text === 'true' || text === '1';
  return text;
}

/** How a value is spelled in the URL; undefined leaves it out (its default, empty or cleared). */
export function formatUrlValue(value: UrlValue | undefined, fallback: UrlValue): string | undefined {
  if (value === null || value === undefined || value === '' || value === fallback) return undefined;
  return String(value);
}

/** The state the URL describes: each key's value from the query, or its default. */
export function readUrlState<T extends Record<string, UrlValue>>(query: LocationQuery, defaults: T): T {
  const out: Record<string, UrlValue> = {};
  for (const [key, fallback] of Object.entries(defaults)) out[key] = parseUrlValue(query[key], fallback) ?? fallback;
  return out as T;
}

/** The query with the state's keys written (a default left out); keys the state does not own are kept. */
export function writeUrlState<T extends Record<string, UrlValue>>(
  query: LocationQuery,
  state: T,
  defaults: T,
): LocationQuery {
  const out: LocationQuery = { ...query };
  for (const [key, fallback] of Object.entries(defaults)) {
    const text = formatUrlValue(state[key], fallback);
    if (text === undefined) delete out[key];
    else out[key] = text;
  }
  return out;
}

/** `{ archived: false }` holds a boolean, `{ q: '' }` a string; `null as 'a' | 'b' | null` keeps its type. */
export type Widened<T> = {
  -readonly [K in keyof T]: [T[K]] extends [boolean]
    ? boolean
    : [T[K]] extends [number]
      ? number
      : [T[K]] extends [string]
        ? string
        : T[K];
};

const sameQuery = (a: LocationQuery, b: LocationQuery) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => String(a[k] ?? '') === String(b[k] ?? ''));
};

/**
 * A reactive object synced both ways with the current route's query: a change to it replaces the URL (no history
 * entry per keystroke), and a new query (a link, back/forward) changes it. Only while the page that made it is shown
 * (the same route record, whatever its params).
 * @example const filters = useUrlState({ status: null as string | null, page: 1, archived: false });
 */
export function useUrlState<T extends Record<string, UrlValue>>(defaults: T): Widened<T> {
  const route = useRoute();
  const router = useRouter();
  // The page that made it: the same route record (a run's page shows another run without remounting).
  const record = route.matched.at(-1);
  const here = () => route.matched.at(-1) === record;
  const state = reactive(readUrlState(route.query, defaults)) as T;
  // Queries this state wrote that have not landed yet: one landing late (a key pressed twice quickly) is older
  // than the state, and must not set it back.
  const written: LocationQuery[] = [];
  watch(
    () => route.query,
    (query) => {
      if (!here()) return;
      const ours = written.findIndex((w) => sameQuery(w, query));
      if (ours >= 0) {
        written.splice(0, ours + 1);
        return;
      }
      const next = readUrlState(query, defaults);
      for (const key of Object.keys(defaults) as (keyof T)[]) if (state[key] !== next[key]) state[key] = next[key];
    },
  );
  watch(
    () => ({ ...state }),
    (now) => {
      if (!here()) return;
      const query = writeUrlState(route.query, now, defaults);
      if (sameQuery(query, route.query)) return;
      written.push(query);
      void router.replace({ path: route.path, query, hash: route.hash }).then((failed) => {
        // A navigation that did not happen (cancelled by the next one) never lands: forget it.
        const i = written.indexOf(query);
        if (failed && i >= 0) written.splice(i, 1);
      });
    },
  );
  return state as Widened<T>;
}
