// A terminal command judged on its own thread (read by the shell parser, then decided): one worker
// started on first use, answers matched by id, and a time limit after which the thread is ended
// (and started again on the next call) and the command asks.
import { Worker } from 'node:worker_threads';
import type { Policy, PolicyContext, PolicyDecision } from '../core/policy.js';
import type { ShellFacts } from '../core/shell-facts.js';
import { harnessFile } from '../config/root.js';

/** Past this a command is not read: the judge asks. */
export const READ_TIMEOUT_MS = 5_000;

/** The decision, and the facts a remembered approval's shape needs. */
export interface ThreadJudgement {
  facts: ShellFacts;
  decision: PolicyDecision;
}

interface Pending {
  resolve(j: ThreadJudgement): void;
  timer: NodeJS.Timeout;
}

let worker: { thread: Worker; ready: Promise<boolean> } | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function unreadable(reason: string): ThreadJudgement {
  return {
    facts: { commands: [], redirects: [], assigned: [], opaque: [reason] },
    decision: { decision: 'ask', rule: 'builtin:code-carrying', reason },
  };
}

function start(): { thread: Worker; ready: Promise<boolean> } {
  const w = new Worker(harnessFile('judge', 'shell-worker.js'));
  w.unref();
  let started: (ok: boolean) => void = () => {};
  const ready = new Promise<boolean>((resolve) => (started = resolve));
  w.on(
    'message',
    (m: { ready?: boolean; id: number; facts?: ShellFacts; decision?: PolicyDecision; error?: string }) => {
      if (m.ready) return started(true);
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(
        m.facts && m.decision
          ? { facts: m.facts, decision: m.decision }
          : unreadable(`the terminal judge failed: ${m.error}`),
      );
    },
  );
  const fail = (why: string) => {
    started(false);
    if (worker?.thread === w) worker = undefined;
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve(unreadable(why));
    }
  };
  w.on('error', (err) => fail(`the shell parser's thread failed: ${err.message}`));
  w.on('exit', () => fail("the shell parser's thread ended"));
  return { thread: w, ready };
}

/** Judge a command (run by `tool`, the terminal) on the judge's thread; a command it cannot judge in time asks. */
export async function judgeTerminalOffThread(
  policy: Policy,
  tool: string,
  command: string,
  context: Omit<PolicyContext, 'realpath'>,
  vars: Record<string, string>,
): Promise<ThreadJudgement> {
  worker ??= start();
  const { thread: w, ready } = worker;
  // Starting the thread (loading the parser) is not the command's time.
  w.ref();
  if (!(await ready)) return unreadable("the shell parser's thread did not start");
  const id = nextId++;
  return new Promise<ThreadJudgement>((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve(unreadable(`the command took over ${READ_TIMEOUT_MS / 1000} s to read`));
      // The thread may be stuck in this command: end it; the next call starts a fresh one.
      if (worker?.thread === w) worker = undefined;
      void w.terminate();
    }, READ_TIMEOUT_MS);
    timer.unref();
    pending.set(id, { resolve, timer });
    // While a request waits the thread keeps the process alive; idle, it does not hold it open.
    w.postMessage({ id, tool, command, vars, policy, context });
  }).finally(() => {
    if (!pending.size) w.unref();
  });
}
