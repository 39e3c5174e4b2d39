// The run page with 50,000 events in headless chromium: time to the first screen, time until every
// event arrived, DOM size (virtualization keeps it bounded) and frame times while scrolling. One JSON line.
// Usage: node bin/run-ts.js bench/ui.ts [events=50000]   (needs web/dist: npm run build:web)
import fs from 'node:fs';
import path from 'node:path';
import type { NewRunEvent } from '../core/run-story/events.js';
import { appendEvents, createRun } from '../db/repositories/runs.js';
import { THROWAWAY_TOKEN as TOKEN, startThrowawayStack } from '../test/helpers/throwaway-stack.js';
import { launchChromium } from '../test/helpers/browser.js';

const N = Number(process.argv[2] ?? 50_000);
if (!fs.existsSync(path.resolve('web/dist/index.html')))
  throw new Error('build the dashboard first: npm run build:web');
const stack = await startThrowawayStack({ taskQueue: 'bench-ui', withWorker: false });
const { backend, store } = stack;
const quantile = (xs: number[], q: number) =>
  Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! * 10) / 10;

try {
  const runId = 'run_bench_ui_0000000000000';
  await createRun(store, {
    id: runId,
    kind: 'pipeline',
    target: { type: 'pipeline', id: 'p', name: 'big', version: 1 },
    inputs: { text: 'x' },
  });
  const kinds = ['step.started', 'llm.request', 'llm.response', 'step.completed'] as const;
  for (let start = 0; start < N; start += 2000) {
    const batch: NewRunEvent[] = [];
    for (let i = start; i < Math.min(N, start + 2000); i++) {
      const type = kinds[i % 4]!;
      const stepId = `s${Math.floor(i / 4) % 200}`;
      const data =
        type === 'llm.request'
          ? {
              callId: `c${i}`,
              stepId,
              provider: 'fake',
              model: 'm',
              messages: [{ role: 'user' as const, content: `question ${i}` }],
              attempt: 1,
            }
          : type === 'llm.response'
            ? {
                callId: `c${i - 1}`,
                stepId,
                text: `answer ${i}`,
                usage: { inputTokens: 10, outputTokens: 5 },
                latencyMs: 3,
                costUsd: 0,
                attempt: 1,
              }
            : { stepId, outputs: { n: i } };
      batch.push({ type, key: `k${i}`, data } as NewRunEvent);
    }
    await appendEvents(store, runId, batch);
  }

  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${backend.url}/ui/?token=${TOKEN}`);
  await page.getByText('Recent runs').waitFor();
  const t0 = Date.now();
  await page.goto(`${backend.url}/ui/runs/${runId}`);
  await page.locator('[data-seq="1"]').waitFor();
  const firstScreenMs = Date.now() - t0;
  await page.getByText(`Timeline · ${N} events`).waitFor({ timeout: 120_000 });
  const allEventsMs = Date.now() - t0;
  const rowsInDom = await page.locator('[data-test=timeline] .timeline-row').count();
  const frames = await page.evaluate(async () => {
    const el = document.querySelector('[data-test=timeline]')!;
    const times: number[] = [];
    let last = performance.now();
    for (let i = 0; i < 150; i++) {
      el.scrollTop += 3000;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    return times;
  });
  const rowsAfterScroll = await page.locator('[data-test=timeline] .timeline-row').count();
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  console.log(
    JSON.stringify({
      bench: 'ui',
      events: N,
      firstScreenMs,
      allEventsMs,
      rowsInDom,
      rowsInDomAfterScroll: rowsAfterScroll,
      domNodes,
      scrollFrameMs: { p50: quantile(frames, 0.5), p95: quantile(frames, 0.95), max: quantile(frames, 1) },
      goalFirstScreenMs: 1000,
    }),
  );
  await browser.close();
} finally {
  await stack.close();
}
