// Dataset CSV files, read by csv-parse. It runs on Node's Buffer, so the reading lives here and core/
// keeps the column rules (examplesFromCsv), core/dataset-import being imported by the web too.
import { CsvError, parse } from 'csv-parse/sync';
import {
  CSV_REFUSED,
  DEFAULT_SPLIT,
  examplesFromCsv,
  type CsvRow,
  type ExampleInput,
  type Split,
} from '../../core/dataset-import.js';
import { SpecError } from '../../core/errors.js';

/** What a csv-parse error means for the person importing, by its code; others keep csv-parse's message. */
const MEANING: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is not closed before the end of the file',
};

/**
 * RFC 4180 rows (quoted commas, newlines and doubled quotes; a BOM, CRLF), each with the line it starts on.
 * A quote inside an unquoted cell is a character; a row of empty cells is left out.
 */
export function readCsvRows(text: string): CsvRow[] {
  const starts: number[] = [];
  let lastLine = 0;
  const noteLines = (cells: string[], { lines }: { lines: number }): string[] => {
    starts.push(lastLine + 1);
    lastLine = lines;
    return cells;
  };
  try {
    const records = parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      on_record: noteLines,
    });
    return records.map((cells, i) => ({ line: starts[i]!, cells })).filter((r) => r.cells.some((c) => c !== ''));
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    throw new SpecError(CSV_REFUSED, [{ path: `line ${lastLine + 1}`, message: MEANING[err.code] ?? err.message }]);
  }
}

/** Examples from a dataset CSV file (see examplesFromCsv for the columns). */
export function parseCsv(text: string, defaultSplit: Split = DEFAULT_SPLIT): ExampleInput[] {
  return examplesFromCsv(readCsvRows(text), defaultSplit);
}
