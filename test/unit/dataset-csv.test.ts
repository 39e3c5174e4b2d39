// The CSV reader behind dataset import (csv-parse underneath): quoted newlines, a BOM, CRLF, lines
// named where a row starts, and a quote left open refused rather than swallowing the rest of the file.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../api/services/dataset-csv.js';

const problems = (text: string): string[] => {
  try {
    parseCsv(text);
  } catch (err) {
    return (err as { problems: Array<{ path: string; message: string }> }).problems.map(
      (p) => `${p.path}: ${p.message}`,
    );
  }
  throw new Error('no error');
};

describe('parseCsv', () => {
  it('reads a BOM, CRLF and quoted newlines, naming the line each row starts on', () => {
    expect(parseCsv('\uFEFFinput.q,expected.a\r\n"two\r\nlines",1\r\n\r\nx,2\r\n')).toEqual([
      { inputs: { q: 'two\r\nlines' }, expected: { a: 1 }, split: 'dev' },
      { inputs: { q: 'x' }, expected: { a: 2 }, split: 'dev' },
    ]);
    expect(problems('input.q,expected.a\n"a\nb\nc",1\n\nx\n')).toEqual(['line 6: has 1 cells, the header has 2']);
  });

  it('refuses a quote left open, at the line its row starts, instead of reading the rest of the file into one cell', () => {
    expect(problems('input.q,expected.a\nok,1\n"open,2\nz,3\n')).toEqual([
      'line 3: a quoted cell is not closed before the end of the file',
    ]);
  });

  it('takes a quote inside an unquoted cell as a character', () => {
    expect(parseCsv('input.q,expected.a\nsay "hi",1\n')).toEqual([
      { inputs: { q: 'say "hi"' }, expected: { a: 1 }, split: 'dev' },
    ]);
  });
});
