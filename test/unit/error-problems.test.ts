// A 400 names its problems in its one-line message; the dashboard lists them under the headline instead.
import { describe, expect, it } from 'vitest';
import { z, type ZodError } from 'zod';
import { toAppError } from '../../api/errors.js';
import { headlineOf, SpecError } from '../../core/errors.js';

describe('problems in error messages', () => {
  it('a spec error and a request error end their message with every problem', () => {
    const spec = new SpecError('invalid component', [
      { path: 'signature', message: "unknown type 'st'" },
      { path: '', message: 'no name' },
    ]);
    expect(spec.message).toBe("invalid component: signature: unknown type 'st'; no name");
    const parsed = z.object({ n: z.number() }).safeParse({ n: 'x' });
    const request = toAppError(parsed.error as ZodError);
    expect(request.status).toBe(400);
    expect(request.message).toMatch(/^invalid request: n: /);
  });

  it('the headline drops the problems only when the message ends with exactly those', () => {
    const problems = [{ path: 'demos', message: 'not JSON' }];
    expect(headlineOf(new SpecError('invalid component', problems).message, problems)).toBe('invalid component');
    // Another message keeps its words: nothing is lost when it does not end with them.
    expect(headlineOf('run failed: demos: not JSON at line 2', problems)).toBe('run failed: demos: not JSON at line 2');
    expect(headlineOf('no problems here', [])).toBe('no problems here');
  });
});
