// `harness app generate|list|open`: apps from the terminal; generation is a run followed live.
import type { Command } from 'commander';
import { parseKindRef, versionRef } from '../../core/run-story/ids.js';
import { eventLine } from '../../core/run-story/render.js';
import { api, backendUrl, CliError, followRun } from '../client.js';

/** "pipeline:name", "component:name" or "agent:name", optionally "@version" (else the latest). */
async function parseTarget(ref: string): Promise<{ kind: string; name: string; version: number }> {
  const r = parseKindRef(ref);
  if (!r || !['pipeline', 'component', 'agent'].includes(r.kind))
    throw new CliError(
      `a target is pipeline:<name>, component:<name> or agent:<name>, optionally @<version>; got '${ref}'`,
    );
  const { kind, name } = r;
  const version =
    r.version ?? (await api('GET', `/api/${kind === 'pipeline' ? 'pipelines' : 'components'}/${name}`)).latestVersion;
  return { kind, name, version };
}

export function appCommands(program: Command): void {
  const app = program.command('app').description('apps: views bound to a pipeline, component or agent');
  app
    .command('list')
    .description('the apps and their latest versions')
    .action(async () => {
      const apps = await api('GET', '/api/apps');
      if (!apps.length) console.log('no apps yet');
      for (const a of apps) console.log(`${versionRef(a.name, a.latestVersion)}  updated ${a.updatedAt}`);
    });
  app
    .command('generate <target>')
    .description(
      'generate an app for pipeline:<name>, component:<name> or agent:<name> (a new version if the app exists)',
    )
    .requiredOption('-p, --prompt <text>', 'what the app should look like')
    .option('-n, --name <name>', 'the app name (default <target>-app)')
    .option('--provider <name>', 'the model provider that drafts the view', 'default')
    .action(async (ref: string, o: { prompt: string; name?: string; provider: string }) => {
      const target = await parseTarget(ref);
      const run = await api('POST', '/api/apps/generate', {
        target,
        prompt: o.prompt,
        provider: o.provider,
        ...(o.name ? { name: o.name } : {}),
      });
      console.log(`generation run ${run.id} started`);
      await followRun(run.id, (frame) => {
        if (frame.type === 'event') console.log(eventLine(frame.event));
      });
      const done = await api('GET', `/api/runs/${run.id}`);
      if (done.status !== 'completed') {
        console.log(`\n${done.status}: ${done.error?.message ?? ''}`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `\n${versionRef(String(done.outputs.app), Number(done.outputs.version))} (${done.outputs.source}): ${backendUrl()}/ui/apps/${done.outputs.app}?version=${done.outputs.version}`,
      );
    });
  app
    .command('open <name>')
    .description("print the app's dashboard URL (open it in a browser that has the dashboard token)")
    .action(async (name: string) => {
      const a = await api('GET', `/api/apps/${encodeURIComponent(name)}`);
      console.log(`${backendUrl()}/ui/apps/${a.name}?version=${a.latestVersion}`);
    });
}
