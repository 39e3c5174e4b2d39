// App views, pure: A2UI validation against the target's fields, the scaffold, the bridge's answers,
// and the served document's script hashes.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { prepareAppDocument, appViewCsp } from '../../api/app-views/document.js';
import { BRIDGE_CLIENT } from '../../api/app-views/bridge-client.js';
import { A2UI_VERSION, scaffoldSurface, validateSurface, VLOOP_CATALOG_ID, type TargetShape } from '../../core/a2ui.js';
import { answerBridge, endedRunResult, type BridgeDeps } from '../../web/src/lib/bridge-host.js';
import { coerceInputs, readPath, writeInput, type SurfaceData } from '../../web/src/lib/a2ui-data.js';

const shape: TargetShape = {
  inputs: [
    { name: 'text', kind: 'str' },
    { name: 'strict', kind: 'bool' },
    { name: 'n', kind: 'int' },
  ],
  outputs: [
    { name: 'summary', kind: 'str' },
    { name: 'sentiment', kind: 'literal', values: ['pos', 'neg'] },
    { name: 'tags', kind: 'list' },
  ],
};
const surface = (components: unknown[]) => ({ version: A2UI_VERSION, catalogId: VLOOP_CATALOG_ID, components });

describe('declarative views', () => {
  it('new surfaces say A2UI v0.9.1; a v0.9 surface still validates, any other revision does not', () => {
    expect(scaffoldSurface(shape, 'Demo').version).toBe('v0.9.1');
    const root = [{ id: 'root', component: 'Text', text: 'hello' }];
    expect(validateSurface({ ...surface(root), version: 'v0.9' }, shape)).toEqual([]);
    expect(validateSurface({ ...surface(root), version: 'v0.10' }, shape)).toEqual([
      { path: '/version', message: expect.stringContaining('v0.9.1') },
    ]);
  });
  it('the scaffold of any target validates: a field per input, a block per output', () => {
    const s = scaffoldSurface(shape, 'Demo');
    expect(validateSurface(s, shape)).toEqual([]);
    const kinds = Object.fromEntries(s.components.map((c) => [c.id, c.component]));
    expect(kinds).toMatchObject({
      in_text: 'TextField',
      in_strict: 'CheckBox',
      in_n: 'TextField',
      out_sentiment: 'Badge',
      out_tags: 'List',
      out_summary: 'Text',
      submit: 'Button',
    });
  });

  it("the scaffold follows the manifest's layout hints", () => {
    const s = scaffoldSurface(shape, 'Demo', {
      text: { label: 'Your review', widget: 'text' },
      n: { widget: 'number' },
    });
    expect(s.components.find((c) => c.id === 'in_text')).toMatchObject({
      component: 'TextField',
      label: 'Your review',
      variant: 'shortText',
    });
    expect(s.components.find((c) => c.id === 'in_n')).toMatchObject({ variant: 'number' });
    expect(validateSurface(s, shape)).toEqual([]);
  });

  it.each([
    ['no root', surface([{ id: 'a', component: 'Divider' }]), "no component has the id 'root'"],
    [
      'a duplicate id',
      surface([
        { id: 'root', component: 'Divider' },
        { id: 'root', component: 'Divider' },
      ]),
      "duplicate component id 'root'",
    ],
    [
      'a missing child',
      surface([{ id: 'root', component: 'Column', children: ['ghost'] }]),
      "refers to a child 'ghost' that does not exist",
    ],
    [
      'a cycle',
      surface([
        { id: 'root', component: 'Column', children: ['a'] },
        { id: 'a', component: 'Card', child: 'root' },
      ]),
      'the component tree has a cycle',
    ],
    ['an unknown component', surface([{ id: 'root', component: 'Script', src: 'x' }]), 'Invalid discriminator value'],
    [
      'an unknown property',
      surface([{ id: 'root', component: 'Text', text: 'x', onClick: 'alert(1)' }]),
      'Unrecognized key',
    ],
    [
      'markup in text',
      surface([{ id: 'root', component: 'Text', text: '<img src=x onerror=alert(1)>' }]),
      'script or markup is not allowed',
    ],
    [
      'a javascript: text',
      surface([{ id: 'root', component: 'Markdown', text: '[x](javascript:alert(1))' }]),
      'script or markup is not allowed',
    ],
    [
      'a binding to nothing',
      surface([{ id: 'root', component: 'Text', text: { path: '/outputs/stars' } }]),
      "'/outputs/stars' binds to nothing",
    ],
    [
      'an input field bound to an output',
      surface([{ id: 'root', component: 'TextField', label: 'x', value: { path: '/outputs/summary' } }]),
      'binds to inputs, not outputs',
    ],
    [
      'a checkbox on a string',
      surface([{ id: 'root', component: 'CheckBox', label: 'x', value: { path: '/inputs/text' } }]),
      "cannot show inputs field 'text' of kind str",
    ],
    [
      'a list of a string',
      surface([{ id: 'root', component: 'List', items: { path: '/outputs/summary' } }]),
      "cannot show outputs field 'summary' of kind str",
    ],
    [
      'a button that does something else',
      surface([{ id: 'root', component: 'Button', label: 'x', action: { event: { name: 'delete' } } }]),
      'Invalid input',
    ],
  ])('refuses %s, naming where', (_what, spec, message) => {
    const problems = validateSurface(spec, shape);
    expect(problems.map((p) => p.message).join('\n')).toContain(message);
    expect(problems.every((p) => p.path.startsWith('/'))).toBe(true);
  });
});

describe('the surface data model', () => {
  it('reads any bound path and writes only inputs', () => {
    const d: SurfaceData = { inputs: {}, outputs: { a: { b: 1 } }, run: { status: 'running' } };
    expect(readPath(d, '/outputs/a/b')).toBe(1);
    expect(readPath(d, '/run/status')).toBe('running');
    writeInput(d, '/inputs/text', 'hi');
    writeInput(d, '/outputs/a', 'overwritten?');
    expect(d).toMatchObject({ inputs: { text: 'hi' }, outputs: { a: { b: 1 } } });
  });
  it('types the form as the schema says', () => {
    expect(
      coerceInputs(
        { n: '3', text: 'x', tags: '["a"]' },
        { properties: { n: { type: 'integer' }, text: { type: 'string' }, tags: { type: 'array' } } },
      ),
    ).toEqual({ n: 3, text: 'x', tags: ['a'] });
  });
});

describe('the bridge host', () => {
  const calls: unknown[] = [];
  const deps: BridgeDeps = {
    app: { name: 'a', version: 1, target: { kind: 'pipeline', name: 'p', version: 1 }, inputsSchema: {} },
    startRun: async (inputs) => (calls.push(inputs), { id: 'run_1', status: 'queued' }),
    listRuns: async () => [],
    getState: async () => ({ k: 1 }),
    setState: async (s) => s,
  };
  it('runs only its own target, with the arguments as inputs (anything else in the message is ignored)', async () => {
    expect(
      await answerBridge(
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'run', arguments: { text: 'x' }, target: 'other' },
        },
        deps,
      ),
    ).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        content: [{ type: 'text', text: 'run run_1 queued' }],
        _meta: { 'vloop/run': { id: 'run_1', status: 'queued' } },
        id: 'run_1',
        status: 'queued',
      },
    });
    expect(calls).toEqual([{ text: 'x' }]);
    expect(
      await answerBridge({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete_everything' } }, deps),
    ).toMatchObject({ error: { code: -32602 } });
  });
  it('tells an ended run as the standard tool result, the bridge’s own fields beside it', () => {
    expect(endedRunResult({ id: 'run_1', status: 'completed', outputs: { a: 1 } })).toEqual({
      content: [{ type: 'text', text: '{"a":1}' }],
      structuredContent: { a: 1 },
      _meta: { 'vloop/run': { id: 'run_1', status: 'completed' } },
      runId: 'run_1',
      status: 'completed',
      outputs: { a: 1 },
      error: null,
    });
    expect(endedRunResult({ id: 'run_2', status: 'failed', outputs: { a: 1 }, error: 'boom' })).toMatchObject({
      content: [{ type: 'text', text: 'run run_2 failed: boom' }],
      isError: true,
      outputs: null,
      error: 'boom',
    });
  });
  it('refuses unknown methods, and turns API refusals into errors the app can read', async () => {
    expect(await answerBridge({ jsonrpc: '2.0', id: 3, method: 'vloop/api/get', params: {} }, deps)).toMatchObject({
      error: { code: -32601 },
    });
    const limited = {
      ...deps,
      startRun: async () => Promise.reject(Object.assign(new Error('rate'), { code: 'rate_limited', status: 429 })),
    };
    expect(
      await answerBridge({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'run' } }, limited),
    ).toMatchObject({ error: { code: -32000, message: 'rate', data: { code: 'rate_limited', status: 429 } } });
  });
});

describe('the served HTML document', () => {
  it('puts the bridge first and pins exactly the inline scripts by hash', () => {
    const doc = prepareAppDocument(
      '<html><body><script>vloop.initialize()</script><script src="https://evil.example/x.js"></script></body></html>',
    );
    const hash = (s: string) => `'sha256-${crypto.createHash('sha256').update(s).digest('base64')}'`;
    expect(doc.scriptHashes).toEqual([hash(BRIDGE_CLIENT), hash('vloop.initialize()')]);
    expect(doc.html.indexOf('window.vloop')).toBeLessThan(doc.html.indexOf('vloop.initialize()'));
    const csp = appViewCsp(doc.scriptHashes, ['http://127.0.0.1:8000']);
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).toContain('frame-ancestors http://127.0.0.1:8000');
    expect(csp).not.toContain('evil.example');
  });
  it('gives a fragment a head for the bridge', () => {
    expect(prepareAppDocument('<p>hi</p>').html).toMatch(/^<html><head><script>\(\(\) => \{/);
  });
});
