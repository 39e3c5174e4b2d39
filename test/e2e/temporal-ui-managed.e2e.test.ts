// The deep link from a run page into the Temporal Web UI that `harness up` started: with no step in the UI's
// codec settings, the run's canary input shows decoded in the browser that opened the dashboard.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/processes.js';
import { DIAMOND_COMPONENTS, DIAMOND_SPEC } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

const CANARY = 'canary-managed-9c2e7a41';

describe('the managed Temporal Web UI from the deep link (e2e)', () => {
  let session: UpSession;
  let fake: FakeProvider;
  let historyUrl: string;
  beforeAll(async () => {
    fake = await startFakeProvider('openai', echoModel);
    // No TEMPORAL_ADDRESS: `harness up` starts and owns its dev server, as `npm start` does.
    session = await startHarnessUp(fake.baseUrl, {
      TEMPORAL_ADDRESS: '',
      TEMPORAL_CLI_PATH: inject('temporalCli'),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_DEV_UI_PORT: String(await freePort()),
    });
    await session.api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    for (const c of DIAMOND_COMPONENTS) await session.api('POST', '/api/components', c);
    await session.api('POST', '/api/pipelines', DIAMOND_SPEC);
    const runId = (await session.api('POST', '/api/pipelines/diamond/runs', { inputs: { text: CANARY } })).id;
    await until(
      async () => (await session.api('GET', `/api/runs/${runId}`)).status === 'completed',
      'the canary run',
      60_000,
    );
    historyUrl = (await session.api('GET', `/api/runs/${runId}`)).temporal.uiUrl;
  }, 180_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('shows the canary decoded, asking our codec with the cookie', async () => {
    const page = session.page;
    const asked = page.waitForResponse(
      (r) => r.url().includes('/api/temporal/codec/decode') && r.request().method() === 'POST',
      { timeout: 30_000 },
    );
    await page.goto(historyUrl);
    expect((await asked).status()).toBe(200);
    await page.getByText(CANARY).first().waitFor({ timeout: 30_000 });
    await session.shot('temporal-ui-managed-decoded');
  });
});
