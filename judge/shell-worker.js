// The terminal judge's thread: reads a command and decides it off the API's and the worker's event
// loop. Plain JS so worker_threads can start it; it loads the TypeScript judge with the CLI's loader.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { readShellCommand } = await import('./shell.ts');
const { judgeSubject } = await import('../core/policy.ts');
const { realResolve } = await import('../db/policy-file.ts');
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, tool, command, vars, policy, context }) => {
  try {
    const shell = readShellCommand(command, { vars });
    const decision = judgeSubject(
      policy,
      { ...context, realpath: realResolve },
      tool,
      { kind: 'command', command },
      { shell },
    );
    // The facts go back small: callShape needs only each command's name.
    const names = shell.commands.map((c) => ({
      words: c.words.slice(0, 1),
      wrappers: [],
      wrapperWords: [],
      assigns: [],
    }));
    parentPort.postMessage({ id, facts: { ...shell, commands: names, redirects: [], assigned: [] }, decision });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
