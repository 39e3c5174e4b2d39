// The SDK's process-wide runtime: its log level, and its lines scrubbed of secrets like ours.
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogLevel } from '@temporalio/worker';
import { processSecrets } from '../core/secrets.js';
import { redact, redactText } from '../core/redact.js';

let installed = false;
let quiet = false;

/** Hold back the SDK's lines (a replay's expected failures log a stack trace per attempt); its own answer says what failed. */
export function quietTemporalLogs(on: boolean): void {
  quiet = on;
}

export function installTemporalRuntime(level: LogLevel): void {
  if (installed) return;
  installed = true;
  const logger = new DefaultLogger(level, (entry) => {
    if (quiet) return;
    const meta = entry.meta ? ` ${JSON.stringify(redact(entry.meta, processSecrets.list()))}` : '';
    process.stderr.write(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${redactText(entry.message, processSecrets.list())}${redactText(meta, processSecrets.list())}\n`);
  });
  // The SDK core's own lines come through this logger too (scrubbed, and quiet when asked), not straight to the console.
  Runtime.install({ logger, telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: level, other: level }), forward: {} } } });
}
