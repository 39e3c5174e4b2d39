// The SQLite page cache under concurrent readers and writes: what it holds stays counted right and within its limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { sqlitePageCache } from '../../db/page-cache.js';
import { createRun } from '../../db/repositories/runs.js';
import { freshStore, type TestStore } from '../helpers/db.js';

const target = { type: 'pipeline' as const, id: 'p', name: 'p', version: 1 };

describe('page cache (sqlite)', () => {
  let db: TestStore;
  beforeAll(async () => {
    db = await freshStore('sqlite');
  });
  afterAll(() => db?.drop());

  it('counts each kept answer once when readers of one page miss together, and keeps to its limits', async () => {
    const pages = sqlitePageCache(db.url, { maxEntries: 4, maxEntryChars: 100, maxTotalChars: 300 });
    let computed = 0;
    // Each answer is 100 characters; computing yields to the event loop, so concurrent misses really overlap.
    const answer = (key: string) =>
      pages.get(key, async () => {
        computed++;
        await new Promise((r) => setImmediate(r));
        return key.padEnd(100, '.');
      });
    try {
      for (let round = 0; round < 20; round++) {
        await createRun(db.store, { id: newId('run'), kind: 'pipeline', target, inputs: { round } });
        const keys = ['runs a', 'runs a', 'runs a', 'runs a', 'runs b', 'runs b', `events ${round % 5}`];
        const bodies = await Promise.all(keys.map(answer));
        expect(bodies).toEqual(keys.map((k) => k.padEnd(100, '.')));
        const held = pages.held();
        expect(held.chars).toBe(held.entries * 100);
        expect(held.chars).toBeLessThanOrEqual(300);
        expect(held.entries).toBeGreaterThan(0);
      }
      // With nothing written, the same pages are answered from what is kept.
      const before = computed;
      await answer('runs a');
      await answer('runs b');
      expect(computed).toBe(before);
      // An answer over the entry limit is computed every time and never kept.
      const big = 'x'.repeat(101);
      const held = pages.held();
      expect(await pages.get('big', async () => big)).toBe(big);
      expect(pages.held()).toEqual(held);
    } finally {
      pages.close();
    }
  });
});
