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
  /** What an imported item carried besides (a Langfuse item's metadata and source trace), given back on export. */
  metadata?: Record<string, unknown>;
}

/** Where an eval's examples come from: a dataset (one split or all), or given ids (an optimizer's dev set). */
export type EvalExampleSource =
  | { dataset: { id: string; split?: Split | undefined } }
  | { exampleIds: string[] }
  /**
   * An eval resumed: the source eval's examples short of a finished result for each of its `repeats` (1 unless
   * given); its finished results are copied.
   */
  | { resumeOf: string; repeats?: number }
  /** An eval forked: every example the source eval ran (its own and those it kept), still in its dataset. */
  | { forkOf: string };

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
    if (!isObject(v) || !isObject(v.inputs) || !isObject(v.expected))
      return problems.push({ path: where, message: 'needs an object with "inputs" and "expected" objects' });
    const split = (v.split as string | undefined) ?? defaultSplit;
    if (!splitNames.has(split))
      return problems.push({ path: where, message: `split must be train, dev or test, got ${JSON.stringify(split)}` });
    out.push({ inputs: v.inputs, expected: v.expected, split: split as Split });
  });
  if (problems.length) throw new SpecError('the JSONL import was refused; nothing was imported', problems);
  return out;
}

/** One CSV row and the line it starts on (a quoted cell may span lines). */
export interface CsvRow {
  line: number;
  cells: string[];
}

/** A CSV cell's value: JSON where it parses as an object, list, number or boolean, else the text. */
function cellValue(s: string): unknown {
  try {
    const v = JSON.parse(s);
    return typeof v === 'object' || typeof v === 'number' || typeof v === 'boolean' ? v : s;
  } catch {
    return s;
  }
}

function checkHeader(cols: string[], problems: Problem[]): void {
  if (!cols.some((c) => c.startsWith('input.')))
    problems.push({ path: 'line 1', message: 'missing columns: at least one "input.<field>" column is needed' });
  if (!cols.some((c) => c.startsWith('expected.')))
    problems.push({ path: 'line 1', message: 'missing columns: at least one "expected.<field>" column is needed' });
  const bad = cols.filter((c) => !c.startsWith('input.') && !c.startsWith('expected.') && c !== 'split');
  if (bad.length)
    problems.push({
      path: 'line 1',
      message: `unknown columns: ${bad.join(', ')} (use input.<field>, expected.<field>, split)`,
    });
}

function exampleOf(row: CsvRow, cols: string[], defaultSplit: Split, problems: Problem[]): ExampleInput {
  const ex: ExampleInput = { inputs: {}, expected: {}, split: defaultSplit };
  cols.forEach((c, i) => {
    const cell = row.cells[i]!;
    if (c === 'split') {
      if (cell && !splitNames.has(cell))
        problems.push({ path: `line ${row.line}`, message: `split must be train, dev or test, got "${cell}"` });
      else if (cell) ex.split = cell as Split;
    } else if (c.startsWith('input.')) ex.inputs[c.slice(6)] = cellValue(cell);
    else ex.expected[c.slice(9)] = cellValue(cell);
  });
  return ex;
}

export const CSV_REFUSED = 'the CSV import was refused; nothing was imported';

/**
 * The examples in CSV rows (read by api/services/dataset-csv): columns `input.<field>`, `expected.<field>`
 * and optionally `split`; values that parse as JSON (numbers, lists) are taken as such, others as text.
 */
export function examplesFromCsv(rows: CsvRow[], defaultSplit: Split = DEFAULT_SPLIT): ExampleInput[] {
  const [header, ...body] = rows;
  if (!header) throw new SpecError(CSV_REFUSED, [{ path: 'line 1', message: 'the file is empty' }]);
  const cols = header.cells.map((c) => c.trim());
  const problems: Problem[] = [];
  checkHeader(cols, problems);
  const out: ExampleInput[] = [];
  for (const row of body) {
    if (row.cells.length === cols.length) out.push(exampleOf(row, cols, defaultSplit, problems));
    else
      problems.push({
        path: `line ${row.line}`,
        message: `has ${row.cells.length} cells, the header has ${cols.length}`,
      });
  }
  if (problems.length) throw new SpecError(CSV_REFUSED, problems);
  return out;
}
