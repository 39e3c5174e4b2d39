// `harness replay <file|dir|run>`: does a recorded history still replay against today's workflow code?
// Run it before deploying a workflow change: a waiting run that would not replay is named with its event.
import fs from 'node:fs';
import path from 'node:path';
import proto from '@temporalio/proto';
import type { Command } from 'commander';
import { loadKeyring } from '../../db/crypto.js';
import { workflowBundle, workflowBundleOptions } from '../../temporal/bundle.js';
import { encryptedDataConverter } from '../../temporal/codec.js';
import { describeReplay, replayHistory, type ReplayResult } from '../../temporal/replay.js';
import { api, CliError } from '../client.js';
import { config } from '../config.js';

type History = proto.temporal.api.history.v1.IHistory;

/**
 * A history file: the corpus's `{workflowId, history: <base64 protobuf>}`, or Temporal's own JSON
 * (`temporal workflow show --output json`, the Web UI's download), whose workflow id is the file's name.
 */
export function readHistoryFile(file: string): { workflowId: string; history: History } {
  let data: { workflowId?: unknown; history?: unknown; events?: unknown };
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file} is not a history: ${(err as Error).message}`);
  }
  const fallbackId = path.basename(file, '.json');
  if (typeof data.history === 'string') {
    const workflowId = typeof data.workflowId === 'string' ? data.workflowId : fallbackId;
    return { workflowId, history: proto.temporal.api.history.v1.History.decode(Buffer.from(data.history, 'base64')) };
  }
  // Temporal's JSON (event types as names): the SDK decodes it, and the bisection reads either form.
  if (Array.isArray(data.events)) return { workflowId: fallbackId, history: data as History };
  throw new CliError(`${file} is not a history: expected {workflowId, history} (base64) or Temporal's JSON with "events"`);
}

const historyFiles = (target: string): string[] =>
  fs.statSync(target).isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(target, f))
    : [target];

export function replayCommand(program: Command): void {
  program
    .command('replay <target>')
    .description("replay recorded histories against today's workflow code: a history file, a directory of them, or a run id (through the backend)")
    .action(async (target: string) => {
      const results: Array<{ workflowId: string; result: ReplayResult }> = [];
      if (fs.existsSync(target)) {
        const c = config();
        const options = { workflowBundle: await workflowBundle(workflowBundleOptions(c)), dataConverter: encryptedDataConverter(loadKeyring(c.paths.secretKey, c.secretKeyText)) };
        for (const file of historyFiles(target)) {
          const { workflowId, history } = readHistoryFile(file);
          results.push({ workflowId, result: await replayHistory(history, workflowId, options) });
        }
        if (!results.length) throw new CliError(`${target} holds no .json history`);
      } else if (/^run_[0-9a-z]+$/.test(target)) {
        results.push({ workflowId: target, result: await api<ReplayResult>('POST', `/api/runs/${encodeURIComponent(target)}/replay`) });
      } else throw new CliError(`'${target}' is neither a history file, a directory of them, nor a run id`);
      for (const { workflowId, result } of results) console.log(describeReplay(workflowId, result));
      if (results.some((r) => !r.result.ok)) process.exitCode = 1;
    });
}
