// Parse dataset files. Every problem is reported with its line; the caller imports all or nothing.
import { SpecError, type Problem } from './errors.js';

export type Split = 'train' | 'dev' | 'test';
export const SPLITS = ['train', 'dev', 'test'] as const satisfies readonly Split[];
/**
 * Where an example goes, and what an eval reads, when no split is named: dev. A first dataset is
 * evaluated before anything else, and dev is what evals and the optimizer's held-out score read;
 * train is filled on purpose, for the optimizer's demos.
 */
export const DEFAULT_SPLIT: Split = 'dev';

/** The splits a dataset has, for an error that says what to pick instead: "dev (6), test (2)" or "no examples yet". */
export function splitsText(counts: Partial<Record<Split, number>>): string {
  const there = SPLITS.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${s} (${counts[s]})`);
  return there.length ? there.join(', ') : 'no examples yet';
}
export interface ExampleInput {
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
  split: Split;
}

/** Where an eval's examples come from: a dataset (one split or all), or given ids (an optimizer's dev set). */
export type EvalExampleSource = { dataset: { id: string; split?: Split | undefined } } | { exampleIds: string[] };

const splitNames = new Set<string>(SPLITS);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** One JSON object per line: {inputs, expected, split?}. */
export function parseJsonl(text: string, defaultSplit: Split = DEFAULT_SPLIT): ExampleInput[] {
  const problems: Problem[] = [];
  const out: ExampleInput[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `line ${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      problems.push({ path: where, message: `not valid JSON: ${(err as Error).message}` });
      return;
    }
    if (!isObject(v) || !isObject(v.inputs) || !isObject(v.expected)) return problems.push({ path: where, message: 'needs an object with "inputs" and "expected" objects' });
    const split = (v.split as string | undefined) ?? defaultSplit;
    if (!splitNames.has(split)) return problems.push({ path: where, message: `split must be train, dev or test, got ${JSON.stringify(split)}` });
    out.push({ inputs: v.inputs, expected: v.expected, split: split as Split });
  });
  if (problems.length) throw new SpecError('the JSONL import was refused; nothing was imported', problems);
  return out;
}

/** RFC 4180-ish CSV: quotes, doubled quotes, commas and newlines inside quotes. */
export function parseCsvRows(text: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((c) => c !== '')) rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += ch;
  }
  cells.push(cell);
  if (cells.some((c) => c !== '')) rows.push({ line: rowLine, cells });
  return rows;
}

/**
 * Columns `input.<field>`, `expected.<field>` and optionally `split`; values that parse as JSON
 * (numbers, lists) are taken as such, others as text.
 */
export function parseCsv(text: string, defaultSplit: Split = DEFAULT_SPLIT): ExampleInput[] {
  const rows = parseCsvRows(text);
  const header = rows.shift();
  if (!header) throw new SpecError('the CSV import was refused; nothing was imported', [{ path: 'line 1', message: 'the file is empty' }]);
  const cols = header.cells.map((c) => c.trim());
  const problems: Problem[] = [];
  if (!cols.some((c) => c.startsWith('input.'))) problems.push({ path: 'line 1', message: 'missing columns: at least one "input.<field>" column is needed' });
  if (!cols.some((c) => c.startsWith('expected.'))) problems.push({ path: 'line 1', message: 'missing columns: at least one "expected.<field>" column is needed' });
  const bad = cols.filter((c) => !c.startsWith('input.') && !c.startsWith('expected.') && c !== 'split');
  if (bad.length) problems.push({ path: 'line 1', message: `unknown columns: ${bad.join(', ')} (use input.<field>, expected.<field>, split)` });
  const value = (s: string): unknown => {
    try {
      const v = JSON.parse(s);
      return typeof v === 'object' || typeof v === 'number' || typeof v === 'boolean' ? v : s;
    } catch {
      return s;
    }
  };
  const out: ExampleInput[] = [];
  for (const row of rows) {
    if (row.cells.length !== cols.length) {
      problems.push({ path: `line ${row.line}`, message: `has ${row.cells.length} cells, the header has ${cols.length}` });
      continue;
    }
    const ex: ExampleInput = { inputs: {}, expected: {}, split: defaultSplit };
    cols.forEach((c, i) => {
      const cell = row.cells[i]!;
      if (c === 'split') {
        if (cell && !splitNames.has(cell)) problems.push({ path: `line ${row.line}`, message: `split must be train, dev or test, got "${cell}"` });
        else if (cell) ex.split = cell as Split;
      } else if (c.startsWith('input.')) ex.inputs[c.slice(6)] = value(cell);
      else ex.expected[c.slice(9)] = value(cell);
    });
    out.push(ex);
  }
  if (problems.length) throw new SpecError('the CSV import was refused; nothing was imported', problems);
  return out;
}
