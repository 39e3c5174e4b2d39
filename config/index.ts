// The one configuration: built once at the edge (the CLI, a test's setup, a benchmark) from an
// environment object, validated with zod, and handed down. Nothing below the edge reads process.env.
import path from 'node:path';
import { z } from 'zod';

type Env = Record<string, string | undefined>;

/** A port number, or the default when unset or empty. */
const port = (fallback: number) =>
  z
    .string()
    .optional()
    .refine((v) => !v || (/^\d+$/.test(v) && Number(v) <= 65535), 'must be a port number (0-65535)')
    .transform((v) => (v ? Number(v) : fallback));
const optional = z
  .string()
  .optional()
  .transform((v) => v || undefined);
const url = z
  .union([z.url(), z.literal('')])
  .optional()
  .transform((v) => v || undefined);

const envSchema = z.object({
  HARNESS_HOST: z
    .string()
    .default('127.0.0.1')
    .transform((v) => v || '127.0.0.1'),
  HARNESS_PORT: port(8000),
  HARNESS_APPS_PORT: port(8001),
  HARNESS_TOKEN: optional,
  HARNESS_ALLOWED_HOSTS: optional,
  HARNESS_SECRET_KEY: optional,
  HARNESS_WORKSPACE: optional,
  VLOOP_PROJECT_DIR: optional,
  VLOOP_DB_URL: z
    .string()
    .regex(/^(|sqlite:.*|postgres(ql)?:\/\/.*)$/, 'must be empty, sqlite:<path> or postgres://…')
    .optional(),
  VLOOP_WORKFLOW_BUNDLE: optional,
  VLOOP_SKIP_MODEL: optional,
  TOOLS_POLICY_PATH: optional,
  TEMPORAL_ADDRESS: optional,
  TEMPORAL_NAMESPACE: z
    .string()
    .optional()
    .transform((v) => v || 'default'),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .optional()
    .transform((v) => v || 'harness'),
  TEMPORAL_TLS_CERT: optional,
  TEMPORAL_TLS_KEY: optional,
  TEMPORAL_API_KEY: optional,
  TEMPORAL_CLI_PATH: optional,
  TEMPORAL_UI_URL: optional,
  TEMPORAL_WORKFLOW_CACHE: z
    .string()
    .optional()
    .refine((v) => !v || /^\d+$/.test(v), 'must be a number of workflows (0 turns the cache off)')
    .transform((v) => (v ? Number(v) : undefined)),
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_DEV_UI_PORT: port(8233),
  TEMPORAL_LOG_LEVEL: z
    .enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', ''])
    .optional()
    .transform((v) => v || 'WARN'),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent', ''])
    .optional()
    .transform((v) => v || 'info'),
  LM_PROVIDER: z
    .enum(['openai', 'anthropic', 'ollama', 'local', ''])
    .optional()
    .transform((v) => v || undefined),
  LM_MODEL: optional,
  OPENAI_API_KEY: optional,
  OPENAI_BASE_URL: url,
  ANTHROPIC_API_KEY: optional,
  OLLAMA_BASE_URL: url,
  LOCAL_MODEL_PATH: optional,
  CHROMIUM_PATH: optional,
  HARNESS_SANDBOX: z.enum(['auto', 'off']).optional(),
  OTEL_SDK_DISABLED: optional,
  OTEL_EXPORTER_OTLP_ENDPOINT: url,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url,
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url,
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/json', 'http/protobuf', ''])
    .optional()
    .transform((v) => v || 'http/protobuf'),
  OTEL_EXPORTER_OTLP_HEADERS: optional,
  OTEL_SERVICE_NAME: z
    .string()
    .optional()
    .transform((v) => v || 'vloop-harness'),
  VLOOP_OTEL_CAPTURE_CONTENT: optional,
  HOME: optional,
  PATH: optional,
});

/** Where the project keeps its files. */
export interface ProjectPaths {
  dir: string;
  db: string;
  token: string;
  secretKey: string;
  policy: string;
  models: string;
  artifacts: string;
  bin: string;
  run: string;
  logs: string;
  temporalDb: string;
  screenshots: string;
}

export function projectPaths(dir: string, policy?: string): ProjectPaths {
  const at = (...p: string[]) => path.join(dir, ...p);
  return {
    dir,
    db: at('harness.db'),
    token: at('token'),
    secretKey: at('secret.key'),
    policy: policy ?? at('policy.json'),
    models: at('models'),
    artifacts: at('artifacts'),
    bin: at('bin'),
    run: at('run'),
    logs: at('logs'),
    temporalDb: at('temporal.db'),
    screenshots: at('screenshots'),
  };
}

export type Dialect = 'sqlite' | 'postgres';
export interface DbConfig {
  dialect: Dialect;
  url: string;
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
  cliPath?: string | undefined;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** How many workflows a worker keeps in memory (the SDK's default when unset; 0: every task replays, on any worker). */
  workflowCacheSize?: number | undefined;
}

/** What agents' tools may touch and how they run. */
export interface ToolsConfig {
  workspace: string;
  home: string;
  policyPath: string;
  projectDir: string;
  artifactsDir: string;
  chromiumPath: string;
  /** `auto`: the terminal runs under bubblewrap when it works here; `off`: never (the policy is then stricter). */
  sandbox: 'auto' | 'off';
  /** The environment a terminal command gets: a safe subset, never the secrets. */
  env: Record<string, string>;
  /** The whole environment the configuration was built from: where an MCP server's `{env: NAME}` header is read (never passed to a tool). */
  hostEnv: Record<string, string | undefined>;
  /** The harness's own listeners (API, apps origin) and Temporal's (frontend, UI): no tool may reach them, whatever the policy says. */
  harnessEndpoints: HarnessEndpoint[];
}

/** A host and port the harness or Temporal listens on (port 0, "pick one", is left out). */
export interface HarnessEndpoint {
  host: string;
  port: number;
}

/** Where the API, the apps origin, the Temporal frontend and its UI listen, from the configuration. */
export function harnessEndpointsFor(
  api: { host: string; port: number; appsPort: number },
  temporal: { address?: string | undefined; devPort: number; devUiPort: number; uiUrl: string },
): HarnessEndpoint[] {
  const out: HarnessEndpoint[] = [
    { host: api.host, port: api.port },
    { host: api.host, port: api.appsPort },
    { host: '127.0.0.1', port: temporal.devPort },
    { host: '127.0.0.1', port: temporal.devUiPort },
  ];
  const address = temporal.address ? /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(temporal.address) : null;
  if (address) out.push({ host: (address[1] ?? address[2])!, port: Number(address[3]) });
  try {
    const ui = new URL(temporal.uiUrl);
    out.push({
      host: ui.hostname.replace(/^\[|\]$/g, ''),
      port: Number(ui.port || (ui.protocol === 'https:' ? 443 : 80)),
    });
  } catch {
    // not a URL: nothing listens there
  }
  return out.filter((e) => e.port > 0);
}

/** Where the default provider's settings come from (LM_PROVIDER, keys, URLs, a GGUF file). */
export interface ModelsConfig {
  provider?: 'openai' | 'anthropic' | 'ollama' | 'local' | undefined;
  model?: string | undefined;
  openaiApiKey?: string | undefined;
  openaiBaseUrl?: string | undefined;
  anthropicApiKey?: string | undefined;
  ollamaBaseUrl?: string | undefined;
  localModelPath?: string | undefined;
  modelsDir: string;
  skipDownload: boolean;
}

/** OpenTelemetry export: off unless an OTLP endpoint is set (the standard OTEL_* variables). */
export interface TelemetryConfig {
  tracesUrl?: string | undefined;
  metricsUrl?: string | undefined;
  protocol: 'http/json' | 'http/protobuf';
  headers: Record<string, string>;
  serviceName: string;
  /** Prompts and replies on model-call spans (redacted); off by default. */
  captureContent: boolean;
}

export interface HarnessConfig {
  paths: ProjectPaths;
  telemetry: TelemetryConfig;
  /** appsPort: the separate origin that serves HTML app views. */
  api: { host: string; port: number; appsPort: number; token?: string | undefined; allowedHosts: string[] };
  db: DbConfig;
  temporal: TemporalConfig;
  tools: ToolsConfig;
  models: ModelsConfig;
  secretKeyText?: string | undefined;
  logLevel: string;
  workflowBundle?: string | undefined;
  /** PATH, to find the Temporal CLI. */
  searchPath: string;
}

const SAFE_TOOL_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'USER', 'SHELL', 'TZ', 'TMPDIR'];

export function dbConfigFrom(url: string | undefined, defaultFile: string): DbConfig {
  if (!url) return { dialect: 'sqlite', url: defaultFile };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', url: url.replace(/^sqlite:(\/\/)?/, '') };
  throw new ConfigError([`VLOOP_DB_URL: must be empty, sqlite:<path> or postgres://…`]);
}

/** The names of this machine a browser may use for the harness whatever HARNESS_HOST says. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

export function allowedHostsFor(host: string, extra: string | undefined): string[] {
  const hosts = new Set(LOOPBACK_HOSTS);
  if (host && host !== '0.0.0.0' && host !== '::') hosts.add(host.toLowerCase());
  for (const h of (extra ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean))
    hosts.add(h);
  return [...hosts];
}

/** The OTLP/HTTP URLs per signal, as the OpenTelemetry spec builds them from the base endpoint. */
function telemetryFrom(e: z.infer<typeof envSchema>): TelemetryConfig {
  const off = e.OTEL_SDK_DISABLED === 'true';
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const headers = Object.fromEntries(
    (e.OTEL_EXPORTER_OTLP_HEADERS ?? '')
      .split(',')
      .map((pair) => pair.split('=').map((s) => decodeURIComponent(s.trim())))
      .filter((kv): kv is [string, string] => kv.length === 2 && !!kv[0]),
  );
  return {
    tracesUrl: off ? undefined : (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined)),
    metricsUrl: off ? undefined : (e.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? (base ? `${base}/v1/metrics` : undefined)),
    protocol: e.OTEL_EXPORTER_OTLP_PROTOCOL as TelemetryConfig['protocol'],
    headers,
    serviceName: e.OTEL_SERVICE_NAME,
    captureContent: e.VLOOP_OTEL_CAPTURE_CONTENT === 'true',
  };
}

/** Bad configuration, named line by line. */
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(`invalid configuration in the environment or .env:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The configuration from an environment object; relative paths resolve against `cwd`.
 * @example const config = configFromEnv(process.env, process.cwd()); // only at the edge
 */
export function configFromEnv(env: Env, cwd: string): HarnessConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  const dir = path.resolve(cwd, e.VLOOP_PROJECT_DIR ?? '.vloop');
  const paths = projectPaths(dir, e.TOOLS_POLICY_PATH ? path.resolve(cwd, e.TOOLS_POLICY_PATH) : undefined);
  return {
    paths,
    telemetry: telemetryFrom(e),
    api: {
      host: e.HARNESS_HOST,
      port: e.HARNESS_PORT,
      appsPort: e.HARNESS_APPS_PORT,
      token: e.HARNESS_TOKEN,
      allowedHosts: allowedHostsFor(e.HARNESS_HOST, e.HARNESS_ALLOWED_HOSTS),
    },
    db: dbConfigFrom(env.VLOOP_DB_URL, paths.db),
    temporal: temporalFrom(e),
    tools: toolsFrom(e, env, cwd, paths),
    models: modelsFrom(e, cwd, paths),
    secretKeyText: e.HARNESS_SECRET_KEY,
    logLevel: e.LOG_LEVEL,
    workflowBundle: e.VLOOP_WORKFLOW_BUNDLE,
    searchPath: e.PATH ?? '',
  };
}

function temporalFrom(e: z.infer<typeof envSchema>): TemporalConfig {
  return {
    address: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    tlsCertPath: e.TEMPORAL_TLS_CERT,
    tlsKeyPath: e.TEMPORAL_TLS_KEY,
    apiKey: e.TEMPORAL_API_KEY,
    devPort: e.TEMPORAL_DEV_PORT,
    devUiPort: e.TEMPORAL_DEV_UI_PORT,
    uiUrl: e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.TEMPORAL_DEV_UI_PORT}`,
    cliPath: e.TEMPORAL_CLI_PATH,
    workflowCacheSize: e.TEMPORAL_WORKFLOW_CACHE,
    logLevel: e.TEMPORAL_LOG_LEVEL as TemporalConfig['logLevel'],
  };
}

/** The tools' world: where they work, the environment they see, and the harness's own endpoints they must not reach. */
function toolsFrom(e: z.infer<typeof envSchema>, env: Env, cwd: string, paths: ProjectPaths): ToolsConfig {
  return {
    workspace: path.resolve(cwd, e.HARNESS_WORKSPACE ?? '.'),
    home: e.HOME ?? '/root',
    policyPath: paths.policy,
    projectDir: paths.dir,
    artifactsDir: paths.artifacts,
    chromiumPath: e.CHROMIUM_PATH ?? '/usr/bin/chromium',
    sandbox: e.HARNESS_SANDBOX ?? 'auto',
    env: Object.fromEntries(SAFE_TOOL_ENV.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!])),
    hostEnv: { ...env },
    harnessEndpoints: harnessEndpointsFor(
      { host: e.HARNESS_HOST, port: e.HARNESS_PORT, appsPort: e.HARNESS_APPS_PORT },
      {
        address: e.TEMPORAL_ADDRESS,
        devPort: e.TEMPORAL_DEV_PORT,
        devUiPort: e.TEMPORAL_DEV_UI_PORT,
        uiUrl: e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.TEMPORAL_DEV_UI_PORT}`,
      },
    ),
  };
}

function modelsFrom(e: z.infer<typeof envSchema>, cwd: string, paths: ProjectPaths): ModelsConfig {
  return {
    provider: e.LM_PROVIDER,
    model: e.LM_MODEL,
    openaiApiKey: e.OPENAI_API_KEY,
    openaiBaseUrl: e.OPENAI_BASE_URL,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    ollamaBaseUrl: e.OLLAMA_BASE_URL,
    localModelPath: e.LOCAL_MODEL_PATH ? path.resolve(cwd, e.LOCAL_MODEL_PATH) : undefined,
    modelsDir: paths.models,
    skipDownload: e.VLOOP_SKIP_MODEL === '1',
  };
}
