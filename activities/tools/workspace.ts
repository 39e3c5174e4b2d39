// Real paths for the policy re-check, and opening files so a symlink swapped in after the check
// cannot lead outside the workspace (the opened descriptor's real path is checked again).
import fs from 'node:fs';
import path from 'node:path';
import { isInside } from '../../core/policy.js';

/** Resolve symlinks of the deepest existing ancestor, then append the rest (for paths not yet created). */
export function realResolve(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    rest.unshift(path.basename(existing));
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  return path.join(fs.realpathSync(existing), ...rest);
}

export class EscapeError extends Error {}

/** Open inside root: O_NOFOLLOW on the last part, then the descriptor's own path must be inside. */
export function openInside(root: string, file: string, flags: number): number {
  const fd = fs.openSync(file, flags | fs.constants.O_NOFOLLOW);
  const real = fs.readlinkSync(`/proc/self/fd/${fd}`);
  if (!isInside(root, real)) {
    fs.closeSync(fd);
    throw new EscapeError(`${file} leads outside the workspace (to ${real})`);
  }
  return fd;
}
