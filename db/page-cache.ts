// Read-heavy answers (a page of runs, a page of a run's events) kept until the store changes. On SQLite a
// connection of the cache's own asks `PRAGMA data_version`, which moves whenever any other connection commits:
// this process's store connection or a worker's in another process, so an answer is never older than the store.
// PostgreSQL has no such cheap question; there every read computes.
import Database from 'better-sqlite3';

export interface PageCache {
  /** The answer for `key` as of the store's present state: kept, or computed (and kept) when the store moved. */
  get(key: string, compute: () => Promise<string>): Promise<string>;
  /** What is kept: answers, and their characters in all. */
  held(): { entries: number; chars: number };
  close(): void;
}

export interface PageCacheLimits {
  maxEntries: number;
  /** An answer longer than this is computed each time, never kept. */
  maxEntryChars: number;
  maxTotalChars: number;
}

/** Enough for the dashboard's lists and a few event pages. */
const LIMITS: PageCacheLimits = { maxEntries: 64, maxEntryChars: 512 * 1024, maxTotalChars: 16 * 1024 * 1024 };

export const uncachedPages: PageCache = {
  get: (_key, compute) => compute(),
  held: () => ({ entries: 0, chars: 0 }),
  close: () => undefined,
};

/** A cache over the SQLite file `file` (its WAL mode lets this second connection read beside the store's). */
export function sqlitePageCache(file: string, limits: PageCacheLimits = LIMITS): PageCache {
  // Opened at the first read, when the store has created and migrated the file.
  let watcher: Database.Database | undefined;
  let dataVersion: Database.Statement | undefined;
  const storeVersion = () => {
    watcher ??= new Database(file, { readonly: true });
    dataVersion ??= watcher.prepare('PRAGMA data_version').pluck();
    return dataVersion.get();
  };
  const entries = new Map<string, { version: unknown; body: string }>();
  let chars = 0;
  const drop = (key: string) => {
    const old = entries.get(key);
    if (old) chars -= old.body.length;
    entries.delete(key);
  };
  return {
    async get(key, compute) {
      const version = storeVersion();
      const hit = entries.get(key);
      if (hit && hit.version === version) {
        // Most recently used last, so the oldest key is the first to go.
        entries.delete(key);
        entries.set(key, hit);
        return hit.body;
      }
      // Tagged with the version read before computing: a commit during the read only makes the next get compute again.
      const body = await compute();
      if (body.length > limits.maxEntryChars) return body;
      // Dropped here, not before computing: concurrent misses of one key each replace the last, counted once.
      drop(key);
      entries.set(key, { version, body });
      chars += body.length;
      while (entries.size > 1 && (entries.size > limits.maxEntries || chars > limits.maxTotalChars))
        drop(entries.keys().next().value!);
      return body;
    },
    held: () => ({ entries: entries.size, chars }),
    close: () => {
      watcher?.close();
      watcher = undefined;
      dataVersion = undefined;
      entries.clear();
      chars = 0;
    },
  };
}
