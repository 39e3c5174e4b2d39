// The dashboard's breadcrumbs from a route path.
import { describe, expect, it } from 'vitest';
import { breadcrumbs } from '../../web/src/lib/breadcrumbs.js';

describe('breadcrumbs', () => {
  it('names the section, then the entity and its sub-page', () => {
    expect(breadcrumbs('/')).toEqual([{ title: 'Overview', to: '/' }]);
    expect(breadcrumbs('/runs/run_01abc').map((c) => c.title)).toEqual(['Overview', 'Runs', 'run_01abc']);
    expect(breadcrumbs('/evals/compare')).toEqual([
      { title: 'Overview', to: '/' },
      { title: 'Evals', to: '/evals' },
      { title: 'compare', to: '/evals/compare' },
    ]);
    expect(breadcrumbs('/components/my%20c').at(-1)!.title).toBe('my c');
  });
});
