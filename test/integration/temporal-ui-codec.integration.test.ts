// The Temporal Web UI that `harness up` starts decodes payloads from the deep link with no manual step:
// its settings name our codec endpoint with credentials on, so its browser's requests carry the decode-only
// cookie the dashboard got; they pass CORS from the UI's origin, and without the cookie they are refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { spawnHarness, type HarnessProcess } from '../helpers/processes.js';
import { TOKEN } from '../helpers/stack.js';

const CANARY = 'codec-canary-5e1f';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('the managed Temporal Web UI and our codec', () => {
  const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-ui-codec-'));
  let up: HarnessProcess;
  let api: string;
  let ui: string;
  beforeAll(async () => {
    const port = await freePort();
    const uiPort = await freePort();
    up = spawnHarness(['up', '--no-example'], {
      HARNESS_PORT: String(port),
      HARNESS_APPS_PORT: String(await freePort()),
      HARNESS_TOKEN: TOKEN,
      VLOOP_PROJECT_DIR: projectDir,
      // No TEMPORAL_ADDRESS: `harness up` starts and owns its dev server, as `npm start` does.
      TEMPORAL_ADDRESS: '',
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_DEV_UI_PORT: String(uiPort),
      TEMPORAL_CLI_PATH: inject('temporalCli'),
      LM_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-ui-codec-0123456789abcdef',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      LM_MODEL: 'fake-model',
    });
    await up.waitFor('running; press Ctrl-C to stop', 90_000);
    api = `http://127.0.0.1:${port}`;
    ui = `http://127.0.0.1:${uiPort}`;
  });
  afterAll(async () => {
    await up?.kill('SIGTERM'); // it stops its dev server (and a SIGKILL would too, through the watchdog)
    fs.rmSync(projectDir, { recursive: true, force: true });
  });

  it("is configured with our codec endpoint, credentials on, and the UI's decode request passes with the cookie only", async () => {
    const settings = await (await fetch(`${ui}/api/v1/settings`)).json();
    expect(settings.Codec).toMatchObject({ Endpoint: `${api}/api/temporal/codec`, IncludeCredentials: true });
    // The UI itself is served as before.
    const page = await fetch(`${ui}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    // Where the UI (2.54) sends a decode: `${endpoint}/decode?preserveStorageRefs=true`.
    const decodeUrl = new URL(`${settings.Codec.Endpoint}/decode?preserveStorageRefs=true`);
    expect(decodeUrl.pathname).toBe('/api/temporal/codec/decode');

    // A payload as the UI finds it in a history: encrypted (here by our encode, with the token).
    const sealed = await fetch(`${api}/api/temporal/codec/encode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(CANARY)) }],
      }),
    });
    const payloads = (await sealed.json()).payloads;
    expect(Buffer.from(payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');

    // The browser's preflight from the UI's origin (JSON body and X-Namespace make it one).
    const preflight = await fetch(decodeUrl, {
      method: 'OPTIONS',
      headers: {
        origin: ui,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ui);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-namespace/);

    // The cookie the dashboard gets for its browser when it opens.
    const issued = await fetch(`${api}/api/temporal/codec-cookie`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const cookie = (issued.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^harness_codec_\d+=/);
    const decode = (headers: Record<string, string>) =>
      fetch(decodeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: ui, ...headers },
        body: JSON.stringify({ payloads }),
      });
    const decoded = await decode({ cookie });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(ui);
    expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');
    const plain = (await decoded.json()).payloads[0];
    expect(Buffer.from(plain.data, 'base64').toString()).toBe(JSON.stringify(CANARY));
    // Without the cookie, or from another origin, it is refused.
    expect((await decode({})).status).toBe(401);
    expect((await decode({ cookie, origin: 'http://127.0.0.1:1' })).status).toBe(403);
  });
});
