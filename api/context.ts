// What HTTP routes, the WebSocket and the CLI's services share.
import type { Client } from '@temporalio/client';
import type { HarnessConfig } from '../config/index.js';
import type { Keyring } from '../keyring/index.js';
import type { ResolvedProvider } from '../providers/registry.js';
import type { SecretSet } from '../core/secrets.js';
import type { EventBus, RunTailer } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import type { Telemetry } from '../temporal/telemetry.js';

export interface TemporalHandle {
  client: Client;
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
}

export interface AppContext {
  version: string;
  /** The one configuration (paths, tools, models), built at the edge. */
  config: HarnessConfig;
  store: Store;
  temporal: TemporalHandle;
  bus: EventBus;
  tailer: RunTailer;
  /** The project's keys: provider keys at rest and Temporal payloads. */
  keyring: Keyring;
  secrets: SecretSet;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
  token: string;
  allowedHosts: string[];
  /** Activity heartbeat timeout: how soon a step on a dead worker is retried elsewhere. */
  heartbeatTimeoutMs: number;
  /** A chat workflow continues as new after this many turns. */
  chatTurnsPerRun: number;
  /** Agents and evals continue as new past this many history events (Temporal stops a run at 51,200). */
  continueAfterEvents: number;
  /** OpenTelemetry export, when configured. */
  telemetry?: Telemetry | undefined;
  /** The port of the separate origin that serves HTML app views (null until it listens). */
  appViewsPort: number | null;
  log: {
    info(o: unknown, msg?: string): void;
    warn(o: unknown, msg?: string): void;
    error(o: unknown, msg?: string): void;
  };
}
