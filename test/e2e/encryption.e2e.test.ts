// The Temporal Web UI in chromium: with the decode-only codec cookie the dashboard gave the browser and
// the codec endpoint set (as a person does once in the UI's codec settings, "include cross-origin
// credentials"), a run's canary input shows decoded; without the cookie the same page shows only ciphertext.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { echoModel } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { DIAMOND_COMPONENTS, DIAMOND_SPEC } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

const CANARY = 'canary-e2e-4b8d2f6a';

describe('encrypted histories in the Temporal Web UI (e2e)', () => {
  let session: UpSession;
  let fake: FakeProvider;
  let runId: string;
  /** The run's page in the Temporal UI, as our API links to it. */
  let historyUrl: string;
  const uiUrl = () => inject('temporalUiUrl');

  /** The UI's own codec settings, stored in its localStorage as its settings dialog would. */
  const useCodec = (context: BrowserContext) =>
    context.addInitScript(
      ([endpoint, uiOrigin]) => {
        if (location.origin !== uiOrigin) return;
        localStorage.setItem('endpoint', JSON.stringify(endpoint));
        localStorage.setItem('includeCredentials', 'true');
        localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
      },
      [`${session.url}/api/temporal/codec`, new URL(uiUrl()).origin] as const,
    );

  beforeAll(async () => {
    fake = await startFakeProvider('openai', echoModel);
    session = await startHarnessUp(fake.baseUrl, { TEMPORAL_UI_URL: uiUrl() });
    await session.api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    for (const c of DIAMOND_COMPONENTS) await session.api('POST', '/api/components', c);
    await session.api('POST', '/api/pipelines', DIAMOND_SPEC);
    runId = (await session.api('POST', '/api/pipelines/diamond/runs', { inputs: { text: CANARY } })).id;
    await until(async () => (await session.api('GET', `/api/runs/${runId}`)).status === 'completed', 'the canary run');
    historyUrl = (await session.api('GET', `/api/runs/${runId}`)).temporal.uiUrl;
    expect(historyUrl.startsWith(uiUrl())).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('shows the canary decoded to the person who opened the dashboard (its codec cookie)', async () => {
    const page = session.page;
    await useCodec(page.context());
    await page.goto(historyUrl);
    await page.getByText(CANARY).first().waitFor({ timeout: 30_000 });
    await session.shot('temporal-ui-decoded');
  });

  it('shows only ciphertext without it', async () => {
    const stranger = await session.browser.newContext();
    await useCodec(stranger);
    const page = await stranger.newPage();
    // The UI asks our codec to decode, and without the cookie it is refused.
    const asked = page.waitForResponse(
      (r) => r.url().includes('/api/temporal/codec/decode') && r.request().method() === 'POST',
      { timeout: 30_000 },
    );
    await page.goto(historyUrl);
    expect((await asked).status()).toBe(401);
    await page.getByText(runId).first().waitFor({ timeout: 30_000 });
    expect(await page.content()).not.toContain(CANARY);
    await page.screenshot({ path: '.vloop/screenshots/temporal-ui-encrypted.png', fullPage: true });
    await stranger.close();
  });
});
