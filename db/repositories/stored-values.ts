// Large values stored once: a string over the threshold inside an event's data, a run's outputs or a step
// cache row is written to stored_values by its SHA-256 (insert-or-ignore) and replaced by a reference;
// every read resolves references back, so readers see exactly what was written (ADR 0015).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { largeStrings, replaced } from '../../core/large-strings.js';

const MARK = '$vloopValue';
/** A reference as JSON.stringify writes it (the one way it is written), for finding it in stored text. */
const REF_TEXT = /\{"\$vloopValue":"sha256:([0-9a-f]{64})","bytes":\d+\}/g;

interface Ref {
  [MARK]: string;
  bytes: number;
}

const refOf = (sha256: string, bytes: number): Ref => ({ [MARK]: `sha256:${sha256}`, bytes });
const isRef = (v: unknown): v is Ref => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  const mark = (v as Record<string, unknown>)[MARK];
  return (
    keys.length === 2 &&
    typeof mark === 'string' &&
    /^sha256:[0-9a-f]{64}$/.test(mark) &&
    typeof (v as Ref).bytes === 'number'
  );
};
const hashOf = (ref: Ref) => ref[MARK].slice('sha256:'.length);

/**
 * Store the large strings of `value` once (for run `runId`) and return it with references in their place.
 * A large string that holds a shorter one of the same write (a model's reply text around the answer it
 * parsed to) is stored as its parts around a reference to that one.
 */
export async function storeLargeValues<T>(db: Knex, runId: string, value: T): Promise<T> {
  const strings = [...largeStrings(value, new Set())].sort((a, b) => a.length - b.length);
  if (!strings.length) return value;
  const refs = new Map<string, Ref>();
  const rows = strings.map((s) => {
    const sha256 = createHash('sha256').update(s).digest('hex');
    const inner = strings.find((v) => v.length < s.length && refs.has(v) && s.includes(v));
    refs.set(s, refOf(sha256, Buffer.byteLength(s)));
    const at = inner === undefined ? -1 : s.indexOf(inner);
    const parts = inner === undefined ? undefined : [s.slice(0, at), refs.get(inner)!, s.slice(at + inner.length)];
    return {
      sha256,
      bytes: Buffer.byteLength(s),
      text: parts ? JSON.stringify(parts) : s,
      parts: !!parts,
      createdAt: new Date().toISOString(),
    };
  });
  for (const row of rows) await db('storedValues').insert(row).onConflict('sha256').ignore();
  await db('storedValueRuns')
    .insert(rows.map((r) => ({ sha256: r.sha256, runId })))
    .onConflict(['sha256', 'runId'])
    .ignore();
  return replaced(value, refs) as T;
}

/** The strings of the given hashes (and of the hashes their parts refer to). */
async function loadStrings(db: Knex, hashes: string[]): Promise<Map<string, string>> {
  const rows = new Map<string, { text: string; parts: boolean | number }>();
  for (let wanted = [...new Set(hashes)]; wanted.length;) {
    const found = (await db('storedValues').whereIn('sha256', wanted).select('sha256', 'text', 'parts')) as Array<{
      sha256: string;
      text: string;
      parts: boolean | number;
    }>;
    for (const r of found) rows.set(r.sha256, r);
    wanted = found
      .flatMap((r) => (r.parts ? (JSON.parse(r.text) as unknown[]).filter(isRef).map(hashOf) : []))
      .filter((h) => !rows.has(h));
  }
  const strings = new Map<string, string>();
  const text = (h: string): string | undefined => {
    if (strings.has(h)) return strings.get(h);
    const row = rows.get(h);
    if (!row) return undefined;
    const s = row.parts
      ? (JSON.parse(row.text) as Array<string | Ref>)
          .map((p) => (typeof p === 'string' ? p : (text(hashOf(p)) ?? '')))
          .join('')
      : row.text;
    strings.set(h, s);
    return s;
  };
  for (const h of rows.keys()) text(h);
  return strings;
}

function refsIn(v: unknown, found: string[]): string[] {
  if (isRef(v)) found.push(hashOf(v));
  else if (Array.isArray(v)) for (const x of v) refsIn(x, found);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) refsIn(x, found);
  return found;
}

function resolved(v: unknown, strings: Map<string, string>): unknown {
  if (isRef(v)) return strings.get(hashOf(v)) ?? v;
  if (Array.isArray(v)) return v.map((x) => resolved(x, strings));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolved(x, strings)]));
  return v;
}

/** Values as they were written: each reference replaced by its string (a value without any is returned as it is). */
export async function loadLargeValues<T>(db: Knex, value: T): Promise<T> {
  const hashes = refsIn(value, []);
  if (!hashes.length) return value;
  return resolved(value, await loadStrings(db, hashes)) as T;
}

/** JSON text as it was written: each reference in it replaced by its string's JSON. */
export async function loadLargeValuesInText(db: Knex, text: string): Promise<string> {
  if (!text.includes(`"${MARK}"`)) return text;
  const hashes = [...text.matchAll(REF_TEXT)].map((m) => m[1]!);
  if (!hashes.length) return text;
  const strings = await loadStrings(db, hashes);
  return text.replace(REF_TEXT, (ref, h: string) => (strings.has(h) ? JSON.stringify(strings.get(h)) : ref));
}

/** Record that a run refers to a value (a sealed Temporal payload value, by its HMAC). */
export async function ownValue(db: Knex, sha256: string, runId: string): Promise<void> {
  await db('storedValueRuns').insert({ sha256, runId }).onConflict(['sha256', 'runId']).ignore();
}

/** Forget a deleted run's references; the values no other run refers to go with them. */
export async function forgetRunValues(db: Knex, runId: string): Promise<void> {
  const hashes = (await db('storedValueRuns').where('runId', runId).select('sha256')).map(
    (r: { sha256: string }) => r.sha256,
  );
  if (!hashes.length) return;
  await db('storedValueRuns').where('runId', runId).del();
  for (let i = 0; i < hashes.length; i += 200) {
    const some = hashes.slice(i, i + 200);
    // Kept while a run refers to it, or another value is made of it (a reply text around this answer):
    // again until none goes, as a value freed by the reply deleted with it goes on the next pass.
    for (;;) {
      const gone = await db('storedValues')
        .whereIn('sha256', some)
        .whereRaw('not exists (select 1 from stored_value_runs r where r.sha256 = stored_values.sha256)')
        .whereRaw(
          "not exists (select 1 from stored_values p where p.parts and p.text like '%' || stored_values.sha256 || '%')",
        )
        .del();
      if (!gone) break;
    }
    await db('payloadArtifacts')
      .whereIn('sha256', some)
      .whereRaw('not exists (select 1 from stored_value_runs r where r.sha256 = payload_artifacts.sha256)')
      .del();
  }
}
