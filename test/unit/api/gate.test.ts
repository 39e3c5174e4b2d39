// The gate's pure parts: which request paths are canonical, and the depth scan of raw JSON.
import { describe, expect, it } from 'vitest';
import { canonicalPath, comparablePath } from '../../../api/gate/path.js';
import { jsonDeeperThan } from '../../../api/json-depth.js';

describe('canonicalPath', () => {
  it('keeps a canonical path and drops the query', () => {
    expect(canonicalPath('/api/runs?limit=5')).toBe('/api/runs');
    expect(canonicalPath('/api/datasets/my%20set')).toBe('/api/datasets/my%20set');
    expect(canonicalPath('/ui/')).toBe('/ui/');
  });
  it.each([
    '//api/runs',
    '/api//runs',
    '/api/./runs',
    '/ui/../api/runs',
    '/ui/%2e%2e/api',
    '/ui/.%2E/api',
    '/api%2fruns',
    '/api%5cruns',
    '/api\\runs',
    '/api/%252e%252e/x',
    '/api/runs%00',
    '/api/%',
    'http://x/api/runs',
    '*',
    '',
  ])('refuses %j', (target) => expect(() => canonicalPath(target)).toThrow(/not in canonical form/));
  it('compares lower-cased without a trailing slash', () => {
    expect(comparablePath('/API/Health/')).toBe('/api/health');
    expect(comparablePath('/')).toBe('/');
  });
});

describe('jsonDeeperThan', () => {
  it('counts nesting, not brackets inside strings or after escapes', () => {
    expect(jsonDeeperThan('[[[]]]', 3)).toBe(false);
    expect(jsonDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(jsonDeeperThan(`{"a":"${'['.repeat(100)}"}`, 3)).toBe(false);
    expect(jsonDeeperThan(`{"a":"\\"${'['.repeat(100)}"}`, 3)).toBe(false);
    expect(jsonDeeperThan(`{"a":"\\\\", "b":${'['.repeat(10)}}`, 3)).toBe(true);
    expect(jsonDeeperThan('[1],[2],[3],[4]', 1)).toBe(false);
  });
});
