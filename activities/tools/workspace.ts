// Opening files so a symlink swapped in after the policy check cannot lead outside the workspace (the opened descriptor's real path is checked again).
import fs from 'node:fs';
import { isInside } from '../../core/policy.js';

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
