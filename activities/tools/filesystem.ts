// Filesystem tool: read, write, edit (search/replace), list, glob, grep — confined to the workspace.
import fs from 'node:fs';
import path from 'node:path';
import { isInside } from '../../core/policy.js';
import { realResolve } from '../../db/policy-file.js';
import { EscapeError, openInside } from './workspace.js';

export interface FilesystemArgs {
  op: 'read' | 'write' | 'edit' | 'list' | 'glob' | 'grep';
  path: string;
  content?: string | undefined;
  search?: string | undefined;
  replace?: string | undefined;
  pattern?: string | undefined;
}

const SKIP = new Set(['.git', 'node_modules', '.vloop']);
const MAX_FILES = 500;

function walk(root: string, dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (out.length >= MAX_FILES) return;
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(root, full, out);
    else if (entry.isFile()) out.push(path.relative(root, full));
  }
}

function globRegex(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '.').replace(/\u0000/g, '.*');
  return new RegExp(`^${re}$`);
}

function readAll(root: string, file: string): string {
  const fd = openInside(root, file, fs.constants.O_RDONLY);
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(root: string, file: string, content: string): void {
  const dir = path.dirname(file);
  if (!isInside(root, realResolve(dir))) throw new EscapeError(`${dir} leads outside the workspace`);
  fs.mkdirSync(dir, { recursive: true });
  const fd = openInside(root, file, fs.constants.O_WRONLY | fs.constants.O_CREAT);
  try {
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, content, 0, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Run one filesystem operation; `root` is the workspace's real path, `target` the checked real path. */
export function runFilesystem(root: string, target: string, args: FilesystemArgs): string {
  switch (args.op) {
    case 'read':
      return readAll(root, target);
    case 'write':
      writeAll(root, target, args.content ?? '');
      return `wrote ${Buffer.byteLength(args.content ?? '')} bytes to ${path.relative(root, target)}`;
    case 'edit': {
      if (!args.search) throw new Error('edit needs `search` (the exact text to replace)');
      const text = readAll(root, target);
      const count = text.split(args.search).length - 1;
      if (count !== 1) throw new Error(`edit needs \`search\` to occur exactly once; it occurs ${count} times`);
      writeAll(root, target, text.replace(args.search, () => args.replace ?? ''));
      return `edited ${path.relative(root, target)}`;
    }
    case 'list':
      return fs
        .readdirSync(target, { withFileTypes: true })
        .map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`)
        .sort()
        .join('\n');
    case 'glob': {
      const files: string[] = [];
      walk(target, target, files);
      const re = globRegex(args.pattern ?? '**');
      return files.filter((f) => re.test(f)).join('\n');
    }
    case 'grep': {
      if (!args.pattern) throw new Error('grep needs `pattern` (a regular expression)');
      const re = new RegExp(args.pattern);
      const files: string[] = [];
      if (fs.statSync(target).isFile()) files.push(path.relative(root, target));
      else walk(root, target, files);
      const hits: string[] = [];
      for (const f of files) {
        const lines = readAll(root, path.join(root, f)).split('\n');
        lines.forEach((line, i) => re.test(line) && hits.length < 200 && hits.push(`${f}:${i + 1}: ${line}`));
      }
      return hits.join('\n');
    }
  }
}
