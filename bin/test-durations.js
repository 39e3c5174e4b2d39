#!/usr/bin/env node
// Write test/durations.json (seconds per test file) from a vitest JSON report, for the suite's
// longest-first order on a fresh clone: `npx vitest run --reporter=json --outputFile.json=r.json`, then
// `node bin/test-durations.js r.json`.
import fs from 'node:fs';
import path from 'node:path';

const report = process.argv[2];
if (!report) {
  console.error('usage: node bin/test-durations.js <vitest json report>');
  process.exit(1);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
// A file's path from its checkout's root, whichever checkout ran the report (a clone in /tmp, CI's): from `test/` on.
const fromRoot = (file) => file.slice(file.lastIndexOf(`${path.sep}test${path.sep}`) + 1);
// The vitest project a file belongs to, by its folder (vitest.config.ts's include patterns).
const project = (file) => ['unit', 'e2e', 'security'].find((p) => file.startsWith(`test/${p}/`)) ?? 'integration';
const table = {};
for (const t of JSON.parse(fs.readFileSync(report, 'utf8')).testResults) {
  const file = fromRoot(t.name);
  table[`${project(file)}:${file}`] = Math.round((t.endTime - t.startTime) / 100) / 10;
}
const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
fs.writeFileSync(path.join(root, 'test', 'durations.json'), JSON.stringify(sorted, null, 2) + '\n');
console.log(`test/durations.json: ${Object.keys(sorted).length} files`);
