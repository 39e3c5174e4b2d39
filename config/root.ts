// The harness's own directory (package.json, bin/, examples/, web/, the TypeScript sources), found
// from this file: the same from the sources and from their compiled copy in dist/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const harnessRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A file of the harness by its path in the repository (a source, a script, an asset). */
export function harnessFile(...parts: string[]): string {
  return path.join(harnessRoot, ...parts);
}
