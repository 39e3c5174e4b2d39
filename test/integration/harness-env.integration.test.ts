// A harness a test starts sees only the variables the test names: none the developer's shell exported for the
// stack `npm start` runs (its port, store, token), and never the checkout's .vloop when no project is named.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harnessEnv } from '../helpers/harness-env.js';
import { freePort } from '../helpers/ports.js';
import { spawnHarness } from '../helpers/processes.js';
import { newProjectDir } from '../helpers/stack.js';

const exported = { HARNESS_PORT: process.env.HARNESS_PORT, VLOOP_PROJECT_DIR: process.env.VLOOP_PROJECT_DIR };
afterEach(() => {
  for (const [name, value] of Object.entries(exported))
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

async function backendStatus(env: Record<string, string>): Promise<string> {
  const p = spawnHarness(['services', 'status', 'backend'], env);
  await p.exitCode;
  return p.output();
}

describe('the environment of a harness a test starts', () => {
  it("leaves out what the test process's environment says about the harness", async () => {
    process.env.HARNESS_PORT = '8123';
    const dir = newProjectDir();
    expect(await backendStatus({ VLOOP_PROJECT_DIR: dir })).toMatch(/^backend .* http:\/\/127\.0\.0\.1:8000 /m);
    const port = String(await freePort());
    expect(await backendStatus({ VLOOP_PROJECT_DIR: dir, HARNESS_PORT: port })).toContain(`127.0.0.1:${port} `);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("names a new empty project when the test names none, never the checkout's .vloop", () => {
    process.env.VLOOP_PROJECT_DIR = path.resolve('.vloop');
    const env = harnessEnv({});
    expect(env.VLOOP_PROJECT_DIR!.startsWith(os.tmpdir())).toBe(true);
    expect(fs.readdirSync(env.VLOOP_PROJECT_DIR!)).toEqual([]);
    // Set empty, so a .env in the working directory cannot fill them (process.loadEnvFile keeps what is set).
    expect(env).toMatchObject({ HARNESS_PORT: '', HARNESS_TOKEN: '', VLOOP_DB_URL: '', TEMPORAL_TASK_QUEUE: '' });
    fs.rmSync(env.VLOOP_PROJECT_DIR!, { recursive: true });
  });
});
