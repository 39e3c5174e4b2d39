// Build the dashboard when web/dist is missing or older than its sources (npm start on a fresh clone).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { harnessRoot } from '../config/root.js';

const root = harnessRoot;

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

export function ensureDashboard(log: (s: string) => void): void {
  const index = path.join(root, 'web', 'dist', 'index.html');
  const src = path.join(root, 'web', 'src');
  if (!fs.existsSync(src)) return;
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newest(src)) return;
  log('dashboard: building web/dist…');
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(
    process.execPath,
    [vite, 'build', '--config', path.join(root, 'web', 'vite.config.ts'), '--logLevel', 'error'],
    { cwd: root, stdio: 'inherit' },
  );
  if (r.status !== 0)
    log('dashboard: the build failed; the API serves a plain page until `npm run build:web` succeeds');
}
