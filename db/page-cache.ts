// Read-heavy answers (a page of runs, a page of a run's events) kept until the store changes. On SQLite a
// connection of the cache's own asks `PRAGMA data_version`, which moves whenever any other connection commits:
// this process's store connection or a worker's in another process, so an answer is never older than the store.
// PostgreSQL has no such cheap question; there every read computes.
import Database from 'better-sqlite3';

export interface PageCache {
  /** The answer for `key` as of the store's present state: kept, or computed (and kept) when the store moved. */
  get(key: string, compute: () => Promise<string>): Promise<string>;
  close(): void;
}

/** Enough for the dashboard's lists and a few event pages; a bigger answer is computed each time. */
const MAX_ENTRIES = 64;
const MAX_ENTRY_CHARS = 512 * 1024;
const MAX_TOTAL_CHARS = 16 * 1024 * 1024;

export const uncachedPages: PageCache = { get: (_key, compute) => compute(), close: () => undefined };

/** A cache over the SQLite file `file` (its WAL mode lets this second connection read beside the store's). */
export function sqlitePageCache(file: string): PageCache {
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
      drop(key);
      // Tagged with the version read before computing: a commit during the read only makes the next get compute again.
      const body = await compute();
      if (body.length > MAX_ENTRY_CHARS) return body;
      entries.set(key, { version, body });
      chars += body.length;
      while (entries.size > MAX_ENTRIES || chars > MAX_TOTAL_CHARS) drop(entries.keys().next().value!);
      return body;
    },
    close: () => {
      watcher?.close();
      watcher = undefined;
      dataVersion = undefined;
      entries.clear();
      chars = 0;
    },
  };
}
