import { describe, expect, it } from 'vitest';
import { describeView } from '../../core/app-description.js';
import {
  A2UI_VERSION,
  scaffoldSurface,
  VLOOP_CATALOG_ID,
  validateSurface,
  type A2uiSurface,
  type TargetShape,
} from '../../core/a2ui.js';

const shape: TargetShape = {
  inputs: [
    { name: 'review', kind: 'str' },
    { name: 'audience', kind: 'str' },
  ],
  outputs: [
    { name: 'summary', kind: 'str' },
    { name: 'key_points', kind: 'list' },
  ],
};
const scaffold = scaffoldSurface(shape, 'app');
const ids = (s: { components: Array<{ id: string; children?: string[] }> }, id: string) =>
  s.components.find((c) => c.id === id)?.children;

describe('describeView', () => {
  it('reads fields written as words, labels of inputs, and keeps the view valid', () => {
    const { surface, used } = describeView(
      scaffold,
      shape,
      'show the key points first; label audience as "Who reads it"',
      { fresh: true },
    );
    expect(ids(surface, 'results')).toEqual(['status', 'out_key_points_row', 'out_summary_row']);
    expect(surface.components.find((c) => c.id === 'in_audience')).toMatchObject({ label: 'Who reads it' });
    expect(used).toEqual(['outputs shown: key_points, summary', 'audience labelled "Who reads it"']);
    expect(validateSurface(surface, shape)).toEqual([]);
  });

  it('changes nothing it cannot find: a view without the scaffold ids, a description with no field', () => {
    const drafted: A2uiSurface = {
      version: A2UI_VERSION,
      catalogId: VLOOP_CATALOG_ID,
      components: [{ id: 'root', component: 'Text', text: 'hi' }],
    };
    expect(describeView(drafted, shape, 'titled "X": hide the summary', { fresh: false })).toEqual({
      surface: drafted,
      used: [],
    });
    expect(describeView(scaffold, shape, "make it pretty, it's for the user's boss", { fresh: true }).used).toEqual([]);
  });

  it('applies titles, input order, shown, hidden and only outputs, and labels the way it always did', () => {
    const hidden = describeView(scaffold, shape, 'hide the summary', { fresh: false }).surface;
    const cases: Array<[A2uiSurface, string, boolean]> = [
      [scaffold, 'titled "Review desk": show only the summary', true],
      [scaffold, 'Heading: "Desk". Ask for the audience, then the review. Display key points, then summary.', true],
      [scaffold, 'Ask for the audience, then the review; audience first', false],
      [scaffold, 'without key points; summary labelled "Short"; call key_points "Points"', false],
      [hidden, 'show the summary again; label review as "Text"', false],
      [hidden, 'just key points. Key points first.', true],
      [scaffold, 'title "app"', true],
    ];
    expect(
      cases.map(([view, text, fresh]) => JSON.stringify(describeView(view, shape, text, { fresh }))),
    ).toMatchSnapshot();
  });
});
