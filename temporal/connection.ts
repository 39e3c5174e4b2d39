// Client and worker connections for the dev server or a real cluster (TLS, API key).
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from '../config/index.js';

function tlsOptions(c: TemporalConfig) {
  if (c.tlsCertPath && c.tlsKeyPath) {
    return { clientCertPair: { crt: fs.readFileSync(c.tlsCertPath), key: fs.readFileSync(c.tlsKeyPath) } };
  }
  return c.apiKey ? true : undefined;
}

export async function connectClient(c: TemporalConfig & { address: string }): Promise<Client> {
  const connection = await Connection.connect({ address: c.address, tls: tlsOptions(c), apiKey: c.apiKey });
  return new Client({ connection, namespace: c.namespace });
}

export async function connectWorker(c: TemporalConfig & { address: string }): Promise<NativeConnection> {
  return NativeConnection.connect({ address: c.address, tls: tlsOptions(c), apiKey: c.apiKey });
}
