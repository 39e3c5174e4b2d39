// The SDK's process-wide runtime: its log level, and its lines scrubbed of secrets like ours.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { processSecrets } from '../core/secrets.js';
import { redact, redactText } from '../core/redact.js';

let installed = false;

export function installTemporalRuntime(level: LogLevel): void {
  if (installed) return;
  installed = true;
  const logger = new DefaultLogger(level, (entry) => {
    const meta = entry.meta ? ` ${JSON.stringify(redact(entry.meta, processSecrets.list()))}` : '';
    process.stderr.write(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${redactText(entry.message, processSecrets.list())}${redactText(meta, processSecrets.list())}\n`);
  });
  Runtime.install({ logger });
}
