// Bundle the workflows once per code change and cache the bundle under .vloop/cache.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { HarnessConfig } from '../config/index.js';
import { harnessRoot } from '../config/root.js';

// The sources, also when this runs compiled from dist/: webpack bundles the TypeScript itself.
const root = harnessRoot;
export const workflowsPath = path.join(root, 'workflows', 'index.ts');
/** Tracing's workflow interceptors: in the bundle only when telemetry is on, so it costs nothing off. */
const otelInterceptors = path.join(root, 'workflows', 'otel-interceptors.ts');

/** Every file under a directory, sorted, as paths relative to the project root. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The cache key: every source the bundle can include (workflows/ and core/, at any depth), how it is built (this file) and the lockfile (its dependencies). */
function sourceHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of [...filesUnder('workflows'), ...filesUnder('core'), 'temporal/bundle.ts', 'package-lock.json'])
    hash.update(file).update(fs.readFileSync(path.join(root, file)));
  return hash.digest('hex').slice(0, 16);
}

/** The bundle a configuration asks for: its prebuilt file, or a build cached in the project. */
export interface BundleOptions {
  prebuilt?: string | undefined;
  cacheDir: string;
  /** With the tracing interceptors (a prebuilt bundle has none, so it is not used then). */
  traced?: boolean;
}

export function workflowBundleOptions(c: Pick<HarnessConfig, 'workflowBundle' | 'paths' | 'telemetry'>): BundleOptions {
  const traced = !!c.telemetry.tracesUrl;
  return { prebuilt: traced ? undefined : c.workflowBundle, cacheDir: path.join(c.paths.dir, 'cache'), traced };
}

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Where a build of today's code is cached: a new name for every change to what it includes. */
export function cachedBundleFile(cacheDir: string, traced: boolean | undefined): string {
  return path.join(cacheDir, `workflows-${sourceHash()}${traced ? '-traced' : ''}.js`);
}

/** The workflow bundle: a prebuilt one if given (VLOOP_WORKFLOW_BUNDLE), else a cached build of today's code. */
export async function workflowBundle(o: BundleOptions): Promise<{ codePath: string }> {
  if (o.prebuilt) return { codePath: o.prebuilt };
  const file = cachedBundleFile(o.cacheDir, o.traced);
  if (!fs.existsSync(file)) await writeBundle(file, { traced: o.traced });
  return { codePath: file };
}

type WebpackConfig = Parameters<NonNullable<Parameters<typeof bundleWorkflowCode>[0]['webpackConfigHook']>>[0];

/** workflows/index.ts imports each workflow type's module on demand: inline them, never a chunk to load. */
const eagerImports = (config: WebpackConfig): WebpackConfig => ({
  ...config,
  module: {
    ...config.module,
    parser: {
      ...config.module?.parser,
      javascript: { ...config.module?.parser?.javascript, dynamicImportMode: 'eager' },
    },
  },
});

/** `from`: another copy of workflows/index.ts (a test bundles a deliberately changed copy to see replay fail). */
export async function writeBundle(
  file: string,
  o: { traced?: boolean | undefined; from?: string } = {},
): Promise<void> {
  const bundle: WorkflowBundleWithSourceMap = await bundleWorkflowCode({
    workflowsPath: o.from ?? workflowsPath,
    logger: silent,
    webpackConfigHook: eagerImports,
    ...(o.traced ? { workflowInterceptorModules: [otelInterceptors] } : {}),
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bundle.code);
  fs.renameSync(tmp, file);
}
