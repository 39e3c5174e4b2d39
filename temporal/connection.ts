// Client and worker connections for the dev server or a real cluster (TLS, API key).
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '../config/index.js';
import type { Keyring } from '../keyring/index.js';
import type { PayloadStore } from './payload-store.js';
import { encryptedDataConverter } from './codec.js';

function tlsOptions(c: TemporalConfig) {
  if (c.tlsCertPath && c.tlsKeyPath) {
    return { clientCertPair: { crt: fs.readFileSync(c.tlsCertPath), key: fs.readFileSync(c.tlsKeyPath) } };
  }
  return c.apiKey ? true : undefined;
}

/**
 * Payloads are encrypted with `keys` on the way in and decrypted on the way out (plain without:
 * benchmarks compare), large ones kept in `store`; `traced` carries the caller's trace into every workflow it starts.
 */
export async function connectClient(
  c: TemporalConfig & { address: string },
  keys: Keyring | undefined,
  store: PayloadStore | undefined,
  traced = false,
): Promise<Client> {
  const connection = await Connection.connect({ address: c.address, tls: tlsOptions(c), apiKey: c.apiKey });
  return new Client({
    connection,
    namespace: c.namespace,
    ...(keys ? { dataConverter: encryptedDataConverter(keys, store) } : {}),
    ...(traced ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
  });
}

export async function connectWorker(c: TemporalConfig & { address: string }): Promise<NativeConnection> {
  return NativeConnection.connect({ address: c.address, tls: tlsOptions(c), apiKey: c.apiKey });
}
