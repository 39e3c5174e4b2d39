// An agent stack: a workspace with files, a policy, a react component on a scripted fake model.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestStack } from './stack.js';

export function makeWorkspace(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-ws-')));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

export async function seedAgent(stack: Pick<TestStack, 'api' | 'fake'>, policy: unknown) {
  const ok = (r: { status: number; body: unknown }) => {
    if (r.status >= 300) throw new Error(`seed failed: ${r.status} ${JSON.stringify(r.body)}`);
  };
  ok(await stack.api('PUT', '/api/policy', policy));
  ok(
    await stack.api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    }),
  );
  ok(
    await stack.api('POST', '/api/components', {
      name: 'helper',
      kind: 'react',
      signature: 'task: str -> answer: str',
      instructions: 'Help with the task.',
      provider: 'fake',
      tools: ['filesystem', 'terminal'],
      maxSteps: 6,
    }),
  );
}

export const eventsOf = async (stack: Pick<TestStack, 'api'>, runId: string) =>
  (await stack.api('GET', `/api/runs/${runId}/events`)).body.events as Array<{ type: string; data: any }>;

export async function waitForStatus(
  stack: Pick<TestStack, 'api'>,
  runId: string,
  status: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await stack.api('GET', `/api/runs/${runId}`)).body.status !== status) {
    if (Date.now() > deadline) throw new Error(`run ${runId} did not reach ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
