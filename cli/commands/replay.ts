// `harness replay <file|dir|run>`: does a recorded history still replay against today's workflow code?
// Run it before deploying a workflow change: a waiting run that would not replay is named with its event.
import fs from 'node:fs';
import path from 'node:path';
import { shutdownTemporalRuntime } from '../../temporal/runtime.js';
import type { Command } from 'commander';
import type { ReplayWorkerOptions } from '@temporalio/worker';
import { payloadStore } from '../../db/payload-store.js';
import { loadKeyring, type Keyring } from '../../keyring/index.js';
import { workflowBundle, workflowBundleOptions } from '../../temporal/bundle.js';
import { encryptedDataConverter } from '../../temporal/codec.js';
import { CORPUS_KEY, HistoryFileError, parseHistory } from '../../temporal/history-file.js';
import { describeReplay, replayExecutions, type ReplayResult } from '../../temporal/replay.js';
import { quietTemporalLogs } from '../../temporal/runtime.js';
import { api, CliError } from '../client.js';
import { config } from '../config.js';
import { prepareStore } from '../runtime.js';

const historyFiles = (target: string): string[] =>
  fs.statSync(target).isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(target, f))
    : [target];

/** The project's keys, and the replay corpus's public test key, so the shipped corpus replays in any project. */
function replayKeyring(): Keyring {
  const c = config();
  const own = loadKeyring(c.paths.secretKey, c.secretKeyText);
  const corpus = loadKeyring('/nonexistent', CORPUS_KEY).current;
  return { current: own.current, byId: new Map([...own.byId, [corpus.id, corpus]]) };
}

/** One history file replayed, its line (and detail) said; a file that holds no history is one line too. */
async function replayFile(
  file: string,
  options: ReplayWorkerOptions,
  say: (line: string) => void,
  verbose: boolean,
): Promise<boolean> {
  let run;
  try {
    run = parseHistory(fs.readFileSync(file, 'utf8'), path.basename(file, '.json'));
  } catch (err) {
    if (!(err instanceof HistoryFileError)) throw err;
    say(`✗ ${file} is not a history: ${err.message}`);
    return false;
  }
  const result = await replayExecutions(run.executions, run.workflowId, options, verbose);
  say(describeReplay(run.workflowId, result));
  if (result.detail) say(result.detail);
  return result.ok;
}

/** Each history file replayed in turn, one line each. */
async function replayFiles(target: string, say: (line: string) => void, verbose: boolean): Promise<boolean> {
  const files = historyFiles(target);
  if (!files.length) throw new CliError(`${target} holds no .json history`);
  const c = config();
  // The store resolves what the history only references (large values and payloads kept there).
  const store = await prepareStore();
  let ok = true;
  try {
    const options = {
      workflowBundle: await workflowBundle(workflowBundleOptions(c)),
      dataConverter: encryptedDataConverter(replayKeyring(), payloadStore(store)),
    };
    for (const file of files) ok = (await replayFile(file, options, say, verbose)) && ok;
  } finally {
    await store.close();
  }
  return ok;
}

export function replayCommand(program: Command): void {
  program
    .command('replay <target>')
    .description(
      "replay recorded histories against today's workflow code, one line each: a history file (temporal workflow show --output json, the API's /api/runs/<id>/history, or the corpus's), a directory of them, or a run id (through the backend)",
    )
    .option('--verbose', "also print the SDK's log lines and stack traces")
    .action(async (target: string, o: { verbose?: boolean }) => {
      // Every failed attempt (replay bisects to the event) logs a stack trace; the one line per history says what failed.
      quietTemporalLogs(!o.verbose);
      const say = (line: string) => console.log(line);
      let ok: boolean;
      try {
        if (fs.existsSync(target)) ok = await replayFiles(target, say, !!o.verbose);
        else if (/^run_[0-9a-z]+$/.test(target)) {
          const result = await api<ReplayResult>('POST', `/api/runs/${encodeURIComponent(target)}/replay`);
          say(describeReplay(target, result));
          ok = result.ok;
        } else throw new CliError(`'${target}' is neither a history file, a directory of them, nor a run id`);
      } finally {
        await shutdownTemporalRuntime();
      }
      if (!ok) process.exitCode = 1;
    });
}
