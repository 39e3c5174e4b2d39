// A soak that cannot start its stack leaves nothing running: no Temporal dev server, no harness process.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { soak } from '../helpers/chaos-soak.js';
import { freePort } from '../helpers/ports.js';

/** Processes whose command line or environment names the directory (the dev server's history file, a harness's project). */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(dir) || fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(dir))
        found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // ended while we looked, or not ours to read
    }
  }
  return found;
}

describe('the chaos soak', () => {
  it('stops what it started when its backend cannot start', async () => {
    const taken = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-chaos-fail-'));
    try {
      // The apps port is taken, so the backend exits at start.
      await expect(
        soak({
          minutes: 0.1,
          concurrency: 1,
          cliPath: inject('temporalCli'),
          workflowBundle: inject('workflowBundle'),
          dir,
          env: { HARNESS_APPS_PORT: String(port) },
        }),
      ).rejects.toThrow(/backend exited/);
      expect(processesIn(dir)).toEqual([]);
    } finally {
      taken.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
