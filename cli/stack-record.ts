// What a running `harness up` or `harness backend` records in the project's .vloop/run/backend.json
// (0600): its pid, its API's URL and the Temporal it uses (with the dev server's pid when it started
// one), so `harness mcp`, `services status` and every command of the project find it without HARNESS_PORT.
import fs from 'node:fs';
import path from 'node:path';

export interface StackRecord {
  pid: number;
  url: string;
  temporal: { address: string; pid?: number | undefined };
}

const file = (runDir: string) => path.join(runDir, 'backend.json');

/** Whether a process with this pid exists (signal 0 checks without sending). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Written when the backend listens; removed when this process exits (a killed one's record is ignored: its pid is gone). */
export function recordStack(runDir: string, r: StackRecord): void {
  fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const tmp = `${file(runDir)}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(r), { mode: 0o600 });
  fs.renameSync(tmp, file(runDir));
  process.once('exit', () => {
    if (readStackRecord(runDir)?.pid === r.pid) fs.rmSync(file(runDir), { force: true });
  });
}

/** The project's running stack, if its process is alive. */
export function readStackRecord(runDir: string): StackRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(file(runDir), 'utf8')) as StackRecord;
    return Number.isInteger(r.pid) && typeof r.url === 'string' && alive(r.pid) ? r : undefined;
  } catch {
    return undefined;
  }
}
