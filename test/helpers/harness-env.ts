// The environment of a harness process a test starts: only what the test names. The developer's shell and the
// checkout's .env (cli/config.ts loads it from the working directory) may point at the stack `npm start` runs —
// its project, store, token, ports, providers — and a test must never talk to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Every variable config/index.ts reads that says where the harness keeps or reaches things. */
const HARNESS_VARIABLES = [
  'HARNESS_HOST',
  'HARNESS_PORT',
  'HARNESS_APPS_PORT',
  'HARNESS_TOKEN',
  'HARNESS_ALLOWED_HOSTS',
  'HARNESS_SECRET_KEY',
  'HARNESS_WORKSPACE',
  'HARNESS_SANDBOX',
  'VLOOP_PROJECT_DIR',
  'VLOOP_DB_URL',
  'VLOOP_WORKFLOW_BUNDLE',
  'VLOOP_SKIP_MODEL',
  'VLOOP_OTEL_CAPTURE_CONTENT',
  'TOOLS_POLICY_PATH',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'TEMPORAL_TLS_CERT',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_API_KEY',
  'TEMPORAL_CLI_PATH',
  'TEMPORAL_UI_URL',
  'TEMPORAL_WORKFLOW_CACHE',
  'TEMPORAL_DEV_PORT',
  'TEMPORAL_DEV_UI_PORT',
  'TEMPORAL_LOG_LEVEL',
  'LM_PROVIDER',
  'LM_MODEL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'OLLAMA_BASE_URL',
  'LOCAL_MODEL_PATH',
  'OTEL_SDK_DISABLED',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_SERVICE_NAME',
];

/**
 * `env` over the test process's environment with every harness variable unset: set empty, so a .env in the working
 * directory cannot fill it either (process.loadEnvFile keeps what is set). Without a project directory named, a new
 * empty one: never the checkout's .vloop.
 */
export function harnessEnv(env: Record<string, string>): Record<string, string> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !HARNESS_VARIABLES.includes(e[0]),
    ),
  );
  // HARNESS_SANDBOX has no empty value (auto or off): it is only left out.
  const blank = Object.fromEntries(HARNESS_VARIABLES.filter((n) => n !== 'HARNESS_SANDBOX').map((n) => [n, '']));
  const project = env.VLOOP_PROJECT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-spawned-'));
  return { ...inherited, ...blank, ...env, VLOOP_PROJECT_DIR: project };
}
