// A filtered view's URL reads back as the same filters: values typed by their defaults, defaults left out.
import { describe, expect, it } from 'vitest';
import { readUrlState, writeUrlState } from '../../web/src/lib/url-state.js';

const defaults = { status: null as string | null, within: '', page: 1, archived: false };

describe('url state', () => {
  it('reads each value typed like its default, and the default when absent or unreadable', () => {
    expect(readUrlState({ status: 'failed', page: '3', archived: 'true' }, defaults)).toEqual({
      status: 'failed',
      within: '',
      page: 3,
      archived: true,
    });
    expect(readUrlState({ page: 'x', status: '', archived: 'false' }, defaults)).toEqual(defaults);
    expect(readUrlState({ status: ['a', 'b'] }, defaults).status).toBe('a');
  });

  it('writes only values that differ from their defaults, keeping keys it does not own', () => {
    const query = writeUrlState({ other: 'kept', page: '2' }, { ...defaults, status: 'failed', page: 1 }, defaults);
    expect(query).toEqual({ other: 'kept', status: 'failed' });
    expect(writeUrlState({}, { ...defaults, archived: true, within: '1h' }, defaults)).toEqual({
      archived: 'true',
      within: '1h',
    });
  });

  it('round-trips: a written state reads back the same', () => {
    const state = { status: 'running', within: '7d', page: 4, archived: true };
    expect(readUrlState(writeUrlState({}, state, defaults), defaults)).toEqual(state);
  });
});
