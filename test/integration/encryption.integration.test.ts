// Nothing readable without the token: a canary in a run's inputs and outputs is ciphertext in the
// Temporal dev server's database and in its Web UI's API, readable through ours and through the
// codec endpoint with the token; a rotated keyring still reads old histories and provider keys.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decryptSecret, loadKeyring } from '../../keyring/index.js';
import { getProvider } from '../../db/repositories/providers.js';
import { echoModel } from '../helpers/echo-model.js';
import { spawnHarness, until } from '../helpers/processes.js';
import { seedDiamond, startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';

const CANARY = 'canary-7f3a9c1e5b2d';
const ENCRYPTED_B64 = Buffer.from('binary/encrypted').toString('base64');

describe('encrypted payloads', () => {
  let stack: TestStack;
  let runId: string;
  beforeAll(async () => {
    stack = await startTestStack({ script: echoModel });
    await seedDiamond(stack);
    const run = await stack.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text: CANARY } });
    runId = run.id;
    expect((await waitForRun(stack, runId)).outputs.combined).toBe(
      `${CANARY.toUpperCase()}|${[...CANARY].reverse().join('')}`,
    );
  });
  afterAll(() => stack?.close());

  it("keeps the canary out of the dev server's database and its Web UI's API", async () => {
    const ui = await fetch(`${inject('temporalUiUrl')}/api/v1/namespaces/default/workflows/${runId}/history`);
    expect(ui.status).toBe(200);
    const answer = await ui.text();
    expect(answer).toContain(ENCRYPTED_B64);
    expect(answer).not.toContain(CANARY);
    expect(answer).not.toContain(Buffer.from(CANARY).toString('base64').slice(0, 16));
    // The history is flushed to disk (WAL included) before it is answered; read every file of the store.
    const dir = path.dirname(inject('temporalDbFile'));
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('temporal.db'));
    expect(files).toContain('temporal.db');
    for (const f of files) expect(fs.readFileSync(path.join(dir, f)).includes(CANARY), f).toBe(false);
  });

  it('shows the canary through our API, to the token', async () => {
    const history = await stack.ok('GET', `/api/runs/${runId}/history`);
    expect(JSON.stringify(history)).toContain(CANARY);
    expect((await stack.ok('GET', `/api/runs/${runId}`)).inputs.text).toBe(CANARY);
    expect((await stack.ok('POST', `/api/runs/${runId}/replay`)).ok).toBe(true);
  });

  it('decodes through the codec endpoint with the token, and to nobody else', async () => {
    const ui = await (
      await fetch(`${inject('temporalUiUrl')}/api/v1/namespaces/default/workflows/${runId}/history`)
    ).json();
    const started = ui.history.events[0].workflowExecutionStartedEventAttributes.input.payloads;
    const decode = (headers: Record<string, string>) =>
      fetch(`${stack.backend.url}/api/temporal/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ payloads: started }),
      });
    // The Temporal UI sends the decode-only cookie the dashboard got for its browser (never the token), from its own origin.
    const issued = await fetch(`${stack.backend.url}/api/temporal/codec-cookie`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const setCookie = issued.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      new RegExp(`^harness_codec_${stack.backend.port}=[^;]+; path=/api/temporal/codec; samesite=strict; httponly$`),
    );
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;
    const uiOrigin0 = new URL(stack.backend.app.temporal.uiUrl).origin;
    const withToken = await decode({ cookie, origin: uiOrigin0 });
    expect(withToken.status).toBe(200);
    // It decodes and does nothing else, and not from a page on another origin.
    expect((await decode({ cookie, origin: 'http://127.0.0.1:1' })).status).toBe(403);
    const encodeWithCookie = await fetch(`${stack.backend.url}/api/temporal/codec/encode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: uiOrigin0 },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(encodeWithCookie.status).toBe(401);
    expect(
      (await fetch(`${stack.backend.url}/api/runs`, { headers: { cookie, origin: stack.backend.url } })).status,
    ).toBe(401);
    const plain = (await withToken.json()).payloads[0];
    expect(Buffer.from(plain.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(plain.data, 'base64').toString()).toContain(CANARY);
    expect((await decode({})).status).toBe(401);
    // The UI's origin may ask with credentials; no other origin gets CORS at all.
    const uiOrigin = new URL(stack.backend.app.temporal.uiUrl).origin;
    const preflight = await fetch(`${stack.backend.url}/api/temporal/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await fetch(`${stack.backend.url}/api/temporal/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // Encode then decode is the identity.
    const again = await fetch(`${stack.backend.url}/api/temporal/codec/encode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ payloads: [plain] }),
    });
    const sealed = (await again.json()).payloads[0];
    expect(Buffer.from(sealed.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed.data, 'base64').includes(CANARY)).toBe(false);
  });

  it('rotates: a new key encrypts, provider keys are re-encrypted, old histories stay readable', async () => {
    const keyFile = path.join(stack.dir, 'secret.key');
    const before = loadKeyring(keyFile);
    const row = await getProvider(stack.db.store, 'fake');
    expect(row.apiKeyEnc!.startsWith(`v2:${before.current.id}:`)).toBe(true);
    const p = spawnHarness(['secrets', 'rotate'], {
      VLOOP_PROJECT_DIR: stack.dir,
      VLOOP_DB_URL: `sqlite:${stack.db.url}`,
    });
    expect(await p.exitCode).toBe(0);
    expect(p.output()).toMatch(/1 provider key\(s\) re-encrypted/);
    const after = loadKeyring(keyFile);
    expect(after.current.id).not.toBe(before.current.id);
    expect(after.byId.has(before.current.id)).toBe(true);
    const rotated = (await getProvider(stack.db.store, 'fake')).apiKeyEnc!;
    expect(rotated.startsWith(`v2:${after.current.id}:`)).toBe(true);
    expect(decryptSecret(after, rotated)).toBe('sk-test-canary-1234567890abcdef');
    // A backend started on the rotated keyring reads the run recorded under the old key.
    const next = await startTestStack({
      script: echoModel,
      db: stack.db,
      fake: stack.fake,
      dir: stack.dir,
      taskQueue: `${stack.taskQueue}-rotated`,
    });
    try {
      await until(async () => (await next.api('GET', `/api/runs/${runId}/history`)).status === 200, 'the history');
      expect(JSON.stringify((await next.ok('GET', `/api/runs/${runId}/history`)).events)).toContain(CANARY);
      const run = await next.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'after rotation' } });
      expect((await waitForRun(next, run.id)).status).toBe('completed');
    } finally {
      await next.close();
    }
  });
});
