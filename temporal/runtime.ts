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
    // Each process's session worker (temporal/worker.ts) polls activities only, by design: not a fault to warn of.
    if (quiet || entry.message.startsWith('No workflows registered')) return;
    // A person reads these on the terminal: the time, the level, the message, then key=value (not a JSON object).
    const fields = Object.entries(redact(entry.meta ?? {}, processSecrets.list()) as Record<string, unknown>).map(
      ([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString().slice(11, 19);
    process.stderr.write(
      `${time} ${entry.level.toLowerCase().padEnd(5)} ${redactText(entry.message, processSecrets.list())}${redactText(fields.join(''), processSecrets.list())}\n`,
    );
  });
  // The SDK core's own lines come through this logger too (scrubbed, and quiet when asked), not straight to the console.
  Runtime.install({
    logger,
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: level, other: level }), forward: {} } },
  });
}

/**
 * Shut the SDK's runtime down: it forwards the core's log lines on a live handle, so a process that is
 * done with Temporal (a replay, a benchmark) would otherwise never exit. A later worker or connection
 * brings it back with the same options.
 */
export async function shutdownTemporalRuntime(): Promise<void> {
  await Runtime.instance().shutdown();
}
