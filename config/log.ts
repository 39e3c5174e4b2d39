// pino, with every known secret value scrubbed from each line before it is written, and the trace
// and span ids of the work in progress on every line (when tracing is on).
import fs from 'node:fs';
import path from 'node:path';
import { trace, isSpanContextValid } from '@opentelemetry/api';
import pino from 'pino';
import { redact } from '../core/redact.js';
import type { SecretSet } from '../core/secrets.js';

/** The trace a line belongs to, so a log viewer can join it to the spans. */
function traceFields(): Record<string, string> {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}

/**
 * A logger to stderr, or to `destination`; with `file`, every line is also kept there as JSON
 * (what `harness logs <run>` reads back across processes).
 */
export function createLogger(secrets: SecretSet, level: string, destination?: pino.DestinationStream, file?: string) {
  let stream: pino.DestinationStream | pino.MultiStreamRes = destination ?? pino.destination(2);
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Written as they come (sync): a process killed mid-run still leaves its lines. Private: they hold prompts.
    stream = pino.multistream([
      { stream, level: level as pino.Level },
      { stream: pino.destination({ dest: file, append: true, sync: true, mode: 0o600 }), level: level as pino.Level },
    ]);
  }
  return pino(
    {
      level,
      mixin: traceFields,
      formatters: { log: (obj) => redact(obj, secrets.list()) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, redact(args, secrets.list()) as typeof args);
        },
      },
      serializers: { err: pino.stdSerializers.err },
    },
    stream,
  );
}
export type Logger = ReturnType<typeof createLogger>;

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** The terminal's view of the log (`harness up`, `harness backend`): `07:25:12 warn  message: the error (run …)`; the JSON lines go to the log file. */
export function humanLines(out: NodeJS.WritableStream = process.stderr): pino.DestinationStream {
  return {
    write(line: string) {
      let o: { level?: number; time?: number; msg?: string; err?: { message?: string }; runId?: string };
      try {
        o = JSON.parse(line);
      } catch {
        return void out.write(line);
      }
      const time = new Date(o.time ?? Date.now()).toISOString().slice(11, 19);
      out.write(
        `${time} ${(LEVELS[o.level ?? 30] ?? 'info').padEnd(5)} ${o.msg ?? ''}${o.err?.message ? `: ${o.err.message}` : ''}${o.runId ? ` (run ${o.runId})` : ''}\n`,
      );
    },
  };
}
