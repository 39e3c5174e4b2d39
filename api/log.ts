// pino, with every known secret value scrubbed from each line before it is written.
import pino from 'pino';
import { redact } from '../core/redact.js';
import type { SecretSet } from '../core/secrets.js';

export function createLogger(secrets: SecretSet, level: string, destination?: pino.DestinationStream) {
  return pino(
    {
      level,
      formatters: { log: (obj) => redact(obj, secrets.list()) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, redact(args, secrets.list()) as typeof args);
        },
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? pino.destination(2),
  );
}
export type Logger = ReturnType<typeof createLogger>;
