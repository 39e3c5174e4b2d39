// Temporal settings from the environment: a managed dev server by default, any cluster when set.
import path from 'node:path';

export function projectDir(): string {
  return path.resolve(process.env.VLOOP_PROJECT_DIR || '.vloop');
}

export interface TemporalConfig {
  /** Empty: the harness manages a dev server on devPort. */
  address: string | undefined;
  namespace: string;
  taskQueue: string;
  tlsCertPath?: string | undefined;
  tlsKeyPath?: string | undefined;
  apiKey?: string | undefined;
  devPort: number;
  devUiPort: number;
  uiUrl: string;
}

export function temporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const devPort = Number(env.TEMPORAL_DEV_PORT || 7233);
  const devUiPort = Number(env.TEMPORAL_DEV_UI_PORT || 8233);
  return {
    address: env.TEMPORAL_ADDRESS || undefined,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || 'harness',
    tlsCertPath: env.TEMPORAL_TLS_CERT || undefined,
    tlsKeyPath: env.TEMPORAL_TLS_KEY || undefined,
    apiKey: env.TEMPORAL_API_KEY || undefined,
    devPort,
    devUiPort,
    uiUrl: env.TEMPORAL_UI_URL || `http://127.0.0.1:${devUiPort}`,
  };
}
