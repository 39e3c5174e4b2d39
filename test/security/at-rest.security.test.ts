// Class 12: at rest, .vloop/ holds the token, the keys, prompts, inputs and chat text: another local
// user must read none of it. `harness up` in a fresh project (and in an old one left 0644) leaves the
// directory 0700 and every file in it 0600 (0700 for programs), the databases' -wal and -shm included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { spawnHarness, type HarnessProcess } from '../helpers/processes.js';

/** Every path under `dir` whose mode is not private, with its mode. */
function notPrivate(dir: string): string[] {
  const wrong: string[] = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    const mode = st.mode & 0o777;
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      if (mode !== 0o700) wrong.push(`${path.relative(dir, p) || '.'}/ ${mode.toString(8)}`);
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else if (mode !== 0o600 && mode !== 0o700) wrong.push(`${path.relative(dir, p)} ${mode.toString(8)}`);
  };
  walk(dir);
  return wrong;
}

const projectDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-at-rest-')), '.vloop');
let up: HarnessProcess | undefined;

afterAll(async () => {
  await up?.kill('SIGINT');
  await up?.kill('SIGKILL');
  fs.rmSync(path.dirname(projectDir), { recursive: true, force: true });
});

describe('.vloop at rest', () => {
  it('is 0700 with every file 0600 after `harness up`, an old project made private', async () => {
    // An old project: created before this rule, world-readable.
    fs.mkdirSync(path.join(projectDir, 'logs'), { recursive: true, mode: 0o755 });
    fs.chmodSync(projectDir, 0o755);
    fs.writeFileSync(path.join(projectDir, 'logs', 'old.jsonl'), '{"msg":"a prompt from last week"}\n', {
      mode: 0o644,
    });
    up = spawnHarness(['up', '--no-example'], {
      HARNESS_PORT: String(await freePort()),
      HARNESS_APPS_PORT: String(await freePort()),
      VLOOP_PROJECT_DIR: projectDir,
      HARNESS_TOKEN: '',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_DEV_UI_PORT: String(await freePort()),
      TEMPORAL_CLI_PATH: inject('temporalCli'),
      LM_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-at-rest-0123456789abcdef',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      LM_MODEL: 'fake-model',
    });
    await up.waitFor('running; press Ctrl-C to stop', 90_000);
    const files = fs.readdirSync(projectDir);
    // What the attack found readable: the store and its WAL, Temporal's history, the logs, the token.
    for (const f of ['harness.db', 'harness.db-wal', 'temporal.db', 'token', 'secret.key', 'logs'])
      expect(files).toContain(f);
    expect(notPrivate(projectDir)).toEqual([]);
  });
});
