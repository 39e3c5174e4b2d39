// A javascript assertion's code runs in its own node process inside the OS sandbox, never in the worker: an
// imported config is code from wherever it came from. It sees the system libraries and node, an empty /tmp, no
// network, no file of the user's or the harness's; its heap is bounded and it has 10 s. No sandbox, no run: the
// assertion fails and says why.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ToolsConfig } from '../config/index.js';
import { codeSandboxPrefix, sandboxEnv, sandboxStatus } from '../sandbox/index.js';

/** What the code's process may print and how long it may take. */
const MAX_OUTPUT = 64_000;
const TIMEOUT_MS = 10_000;

/** Reads `{body, output, context}` on stdin, calls the body as `function (output, context)`, prints `{ok, value | error}`. */
const RUNNER = `let s='';process.stdin.setEncoding('utf8');process.stdin.on('data',c=>{s+=c});process.stdin.on('end',async()=>{let r;try{const {body,output,context}=JSON.parse(s);const v=await new Function('output','context',body)(output,context);r={ok:true,value:v===undefined?null:v}}catch(e){r={ok:false,error:String(e&&e.message||e)}}process.stdout.write(JSON.stringify(r))});`;

let scratch: string | undefined;

/** One empty directory per worker process: what the sandbox probe and the seccomp filter are checked against (the code never sees it). */
function scratchDir(): string {
  if (!scratch) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-assert-'));
    fs.mkdirSync(path.join(scratch, 'home'));
    const dir = scratch;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

/** The probe of the OS sandbox, on directories of its own: the code is shown none of the user's anyway. */
function probeTools(tools: Pick<ToolsConfig, 'sandbox' | 'env'>) {
  const dir = scratchDir();
  return {
    sandbox: tools.sandbox,
    env: { PATH: tools.env.PATH ?? '/usr/bin:/bin' },
    workspace: dir,
    home: path.join(dir, 'home'),
    projectDir: path.join(dir, '.vloop'),
    policyPath: path.join(dir, '.vloop', 'policy.json'),
  };
}

export type CodeOutcome = { ok: true; value: unknown } | { ok: false; error: string };

/** Run a javascript assertion's function body on one answer, confined; what it returned, or why it could not run. */
export async function runAssertionCode(
  tools: Pick<ToolsConfig, 'sandbox' | 'env' | 'workspace' | 'home' | 'projectDir' | 'policyPath'>,
  body: string,
  output: string,
  context: Record<string, unknown>,
): Promise<CodeOutcome> {
  const confined = probeTools(tools);
  const status = sandboxStatus(confined);
  if (!status.active)
    return { ok: false, error: `javascript assertions run only inside the OS sandbox: ${status.reason}` };
  // The heap bounded too: a runaway allocation ends the code, not the machine.
  const argv = [
    ...codeSandboxPrefix(status, confined.workspace),
    process.execPath,
    '--max-old-space-size=128',
    '-e',
    RUNNER,
  ];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: sandboxEnv({ PATH: '/usr/bin:/bin' }),
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => {
      if (out.length < MAX_OUTPUT) out += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < MAX_OUTPUT) err += c.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `the code could not start: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, error: `the code was stopped after ${TIMEOUT_MS / 1000} s` });
      try {
        resolve(JSON.parse(out) as CodeOutcome);
      } catch {
        const how = signal ? `was killed (${signal})` : `ended (exit ${code})`;
        resolve({ ok: false, error: `the code's process ${how} without a result: ${err.slice(0, 500)}` });
      }
    });
    child.stdin.end(JSON.stringify({ body, output, context }));
  });
}
