// Terminal tool: a command in the workspace with an environment scrubbed of secrets, under the OS
// sandbox when one is given; the whole process group is killed on timeout or cancellation.
import { spawn } from 'node:child_process';
import { sandboxEnv } from '../../sandbox/index.js';
import { findGitEntries, quarantineNewGit } from '../../sandbox/git-entries.js';

export interface TerminalResult {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

/**
 * `env` is the safe subset the configuration chose (never the process's secrets); `sandbox` is the argv
 * that runs `bash -c` confined in the workspace `cwd`. Under the sandbox, a `.git` the command created
 * in the workspace is moved aside when it ends (the existing ones were read-only), and the output says so.
 */
export function runTerminal(
  command: string,
  cwd: string,
  o: { env: Record<string, string>; timeoutMs: number; maxBytes: number; signal?: AbortSignal; sandbox?: string[] },
): Promise<TerminalResult> {
  return new Promise((resolve, reject) => {
    const [program, ...args] = o.sandbox ?? ['bash', '-c'];
    // Under the sandbox the variables that steer programs (HOME, GIT_*, LD_* …) never go in.
    const env = o.sandbox ? sandboxEnv(o.env) : o.env;
    const gitBefore = o.sandbox ? findGitEntries(cwd) : undefined;
    const child = spawn(program!, [...args, command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const take = (chunk: Buffer) => {
      if (output.length < o.maxBytes) output += chunk.toString('utf8').slice(0, o.maxBytes - output.length);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, o.timeoutMs);
    o.signal?.addEventListener('abort', killGroup, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', killGroup);
      const moved = gitBefore ? quarantineNewGit(gitBefore, findGitEntries(cwd)) : [];
      if (moved.length) output = `${output.replace(/\n?$/, '\n')}${moved.join('\n')}\n`;
      resolve({ exitCode: code, output, timedOut });
    });
  });
}
