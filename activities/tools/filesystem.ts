// Filesystem tool: read, write, edit (search/replace), list, glob, grep — confined to the workspace,
// never into the harness directory, never writing .git: every file and directory is checked once opened.
import fs from 'node:fs';
import path from 'node:path';
import { RE2JS } from 're2js';
import { globMatcher } from '../../core/glob.js';
import type { FileOperation } from '../../core/tools/define.js';
import { realResolve } from '../../db/policy-file.js';
import { checkWritableDir, EscapeError, openDirInside, openInside, type Boundary } from './workspace.js';

const SKIP = new Set(['.git', 'node_modules', '.vloop']);
const MAX_FILES = 500;
/** Larger files are refused (read, edit) or skipped (grep): the answer is cut to a few KB anyway. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** The entries of an opened directory, read through its descriptor. */
function entriesOf(b: Boundary, dir: string): { real: string; entries: fs.Dirent[] } {
  const { fd, real } = openDirInside(b, dir);
  try {
    return { real, entries: fs.readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true }) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Files under `dir` (relative to `root`); a subdirectory that leads out of bounds is left out. */
function walk(b: Boundary, root: string, dir: string, out: string[], top = true): void {
  let listing: ReturnType<typeof entriesOf>;
  try {
    listing = entriesOf(b, dir);
  } catch (err) {
    if (err instanceof EscapeError && !top) return;
    throw err;
  }
  for (const entry of listing.entries) {
    if (out.length >= MAX_FILES) return;
    if (SKIP.has(entry.name)) continue;
    const full = path.join(listing.real, entry.name);
    if (entry.isDirectory()) walk(b, root, full, out, false);
    else if (entry.isFile()) out.push(path.relative(root, full));
  }
}

// A model's pattern runs on the worker's event loop: RE2 matches in time linear in the text, where a
// backtracking engine can take years on one line (`^(a+)+$`).
function grepRegex(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    throw new Error(
      `grep's pattern is not a regular expression RE2 accepts (no backreferences or lookaround): ${(err as Error).message}`,
    );
  }
}

function readAll(b: Boundary, file: string): string {
  const fd = openInside(b, file, fs.constants.O_RDONLY);
  try {
    const size = fs.fstatSync(fd).size;
    if (size > MAX_FILE_BYTES)
      throw new Error(
        `${path.basename(file)} is ${size} bytes; the filesystem tool reads files up to ${MAX_FILE_BYTES}`,
      );
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(b: Boundary, file: string, content: string): void {
  const dir = path.dirname(file);
  checkWritableDir(b, realResolve(dir));
  fs.mkdirSync(dir, { recursive: true });
  const fd = openInside(b, file, fs.constants.O_WRONLY | fs.constants.O_CREAT);
  try {
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, content, 0, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Replace the one occurrence of `search`; none or several is an error. */
function edit(b: Boundary, target: string, args: FileOperation): string {
  if (!args.search) throw new Error('edit needs `search` (the exact text to replace)');
  const text = readAll(b, target);
  const count = text.split(args.search).length - 1;
  if (count !== 1) throw new Error(`edit needs \`search\` to occur exactly once; it occurs ${count} times`);
  writeAll(
    b,
    target,
    text.replace(args.search, () => args.replace ?? ''),
  );
  return `edited ${path.relative(b.workspace, target)}`;
}

/** The lines of the files under `target` (or of `target`) that the pattern matches, up to 200. */
function grep(b: Boundary, target: string, args: FileOperation): string {
  if (!args.pattern) throw new Error('grep needs `pattern` (a regular expression)');
  const root = b.workspace;
  const re = grepRegex(args.pattern);
  const files: string[] = [];
  if (fs.statSync(target).isDirectory()) walk(b, root, target, files);
  else files.push(path.relative(root, target));
  const single = files.length === 1 && path.join(root, files[0]!) === target;
  const hits: string[] = [];
  for (const f of files) {
    const text = readForGrep(b, path.join(root, f), single);
    text?.split('\n').forEach((line, i) => re.test(line) && hits.length < 200 && hits.push(`${f}:${i + 1}: ${line}`));
  }
  return hits.join('\n');
}

/** One file out of bounds (a hard link, a swapped symlink) is left out of a search; a file named alone is an error. */
function readForGrep(b: Boundary, file: string, single: boolean): string | undefined {
  try {
    return readAll(b, file);
  } catch (err) {
    if (single) throw err;
    return undefined;
  }
}

/** Run one filesystem operation; `b` is the workspace and what is off-limits in it, `target` the checked real path. */
export function runFilesystem(b: Boundary, target: string, args: FileOperation): string {
  const root = b.workspace;
  switch (args.op) {
    case 'read':
      return readAll(b, target);
    case 'write':
      writeAll(b, target, args.content ?? '');
      return `wrote ${Buffer.byteLength(args.content ?? '')} bytes to ${path.relative(root, target)}`;
    case 'edit':
      return edit(b, target, args);
    case 'list':
      return entriesOf(b, target)
        .entries.map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`)
        .sort()
        .join('\n');
    case 'glob': {
      const files: string[] = [];
      walk(b, target, target, files);
      const fits = globMatcher(args.pattern ?? '**', 'path');
      return files.filter(fits).join('\n');
    }
    case 'grep':
      return grep(b, target, args);
  }
}
