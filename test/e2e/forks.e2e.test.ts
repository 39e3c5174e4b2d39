// Time travel in a real browser: fork a run from a step on its page (a counterfactual output), watch
// the fork run with the earlier steps reused, open the compare view, see the fork under its parent.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { DIAMOND_COMPONENTS, DIAMOND_SPEC } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import { startOtlpReceiver, type OtlpReceiver } from '../fakes/otlp-receiver.js';

describe('forks (e2e)', () => {
  let session: UpSession;
  let page: Page;
  let fake: FakeProvider;
  let receiver: OtlpReceiver;
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);

  beforeAll(async () => {
    fake = await startFakeProvider('openai', echoModel);
    // Tracing on for this session: the run page shows each run's trace id.
    receiver = await startOtlpReceiver();
    session = await startHarnessUp(fake.baseUrl, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    page = session.page;
    await api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    for (const c of DIAMOND_COMPONENTS) await api('POST', '/api/components', c);
    await api('POST', '/api/pipelines', DIAMOND_SPEC);
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
    await receiver?.close();
  });

  it('forks from a step on the run page, watches the fork, and compares it with its source', async () => {
    const source = await api('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'abc' } });
    await until(
      async () => (await api('GET', `/api/runs/${source.id}`)).status === 'completed',
      'the source run to complete',
    );
    await page.goto(`${session.url}/ui/runs/${source.id}`);
    await page.locator('[data-step=both][data-step-status=completed]').waitFor();
    const { traceId } = await api('GET', `/api/runs/${source.id}`);
    await page.locator('[data-test=trace-id]').getByText(`trace ${traceId}`).waitFor();
    await until(
      () => receiver.spans.some((s) => s.traceId === traceId && s.name === 'invoke_workflow diamond'),
      "the run's trace at the receiver",
    );

    await page.click('[data-fork-step=up]');
    const dialog = page.locator('[data-test=fork-dialog]');
    await dialog.getByText('Steps that do not depend on this one are reused').waitFor();
    // A wrong counterfactual is refused with the reason, in place.
    await page.fill('[data-test=fork-outputs] textarea', '{"result": 5}');
    await page.click('[data-test=fork-submit]');
    await page.locator('[data-test=fork-dialog] [data-test=error]').getByText('expected str, got 5').waitFor();
    await page.fill('[data-test=fork-outputs] textarea', '{"result": "FORKED"}');
    await session.shot('fork-dialog');
    const requests = fake.requests.length;
    await page.click('[data-test=fork-submit]');

    await page.waitForURL((u) => /\/ui\/runs\/run_/.test(u.pathname) && !u.pathname.endsWith(source.id));
    await page.locator('[data-test=fork-of]').getByText(source.id).waitFor();
    await page.locator('[data-test=outputs]').getByText('FORKED|cba').waitFor();
    await page.locator('[data-step=up] [data-reused=counterfactual]').waitFor();
    await page.locator('[data-step=rev] [data-reused=fork]').waitFor();
    expect(fake.requests.length - requests).toBe(1); // only `both` ran
    await page.locator(`[data-test=fork-tree] [data-fork="${source.id}"]`).waitFor();
    await session.shot('fork-run');

    await page.click('[data-test=compare-with-source]');
    await page.waitForURL(/\/ui\/runs\/compare\?/);
    await page.locator('[data-test=first-divergence]').getByText('First divergence: up').waitFor();
    await page.locator('[data-test=compare-steps] [data-step=both]').getByText('FORKED').first().waitFor();
    expect(await page.locator('[data-test=compare-steps] [data-step=rev]').textContent()).toContain('same');
    await session.shot('fork-compare');

    const forkId = new URL(page.url()).searchParams.get('b')!;
    await page.goto(`${session.url}/ui/runs`);
    await page.locator(`[data-run="${forkId}"][data-depth="1"]`).waitFor();
    const order = await page
      .locator('[data-test=runs-table] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
    expect(order.indexOf(forkId)).toBe(order.indexOf(source.id) + 1);
    await session.shot('runs-with-forks');
  });

  it('the compare view says what to do with no runs picked, and names a run that does not exist', async () => {
    await page.goto(`${session.url}/ui/runs/compare`);
    await page.getByText('Pick two runs, or open a fork and choose "compare with parent".').waitFor();
    await session.shot('compare-empty');
    const { runs } = await api('GET', '/api/runs?limit=1');
    await page.goto(`${session.url}/ui/runs/compare?a=${runs[0].id}&b=run_missing`);
    await page.getByText("run 'run_missing' not found").first().waitFor();
    await session.shot('compare-missing');
  });
});
