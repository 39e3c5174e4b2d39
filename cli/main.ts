// The `harness` command line. Each command's module loads only when that command runs (or for the
// full help), so `--version`, `services status` or `run --help` do not load Temporal, knex or the API.
import { Command } from 'commander';
import { SpecError } from '../core/errors.js';

type AddCommands = (program: Command) => void;

/** The top-level commands each module adds, and how to load it; `temporal`: it runs the Temporal SDK's worker runtime (its log level and scrubbing are installed first). */
const modules: Array<{ names: string[]; load: () => Promise<AddCommands>; temporal?: boolean }> = [
  { names: ['up'], load: async () => (await import('./commands/up.js')).upCommand, temporal: true },
  { names: ['services'], load: async () => (await import('./commands/services.js')).servicesCommand },
  { names: ['backend'], load: async () => (await import('./commands/backend.js')).backendCommand, temporal: true },
  { names: ['worker'], load: async () => (await import('./commands/worker.js')).workerCommand, temporal: true },
  { names: ['run'], load: async () => (await import('./commands/run.js')).runCommand },
  { names: ['runs'], load: async () => (await import('./commands/runs.js')).runsCommands },
  { names: ['replay'], load: async () => (await import('./commands/replay.js')).replayCommand, temporal: true },
  { names: ['fork', 'diff'], load: async () => (await import('./commands/fork.js')).forkCommands },
  { names: ['component'], load: async () => (await import('./commands/components.js')).componentCommands },
  { names: ['promote'], load: async () => (await import('./commands/promote.js')).promoteCommand },
  { names: ['logs'], load: async () => (await import('./commands/logs.js')).logsCommand },
  { names: ['chat'], load: async () => (await import('./commands/chat.js')).chatCommand },
  {
    names: ['dataset-import', 'eval'],
    load: async () => (await import('./commands/evals.js')).evalCommands,
  },
  { names: ['optimize'], load: async () => (await import('./commands/optimize.js')).optimizeCommand },
  { names: ['experiment'], load: async () => (await import('./commands/experiment.js')).experimentCommand },
  { names: ['app'], load: async () => (await import('./commands/apps.js')).appCommands },
  { names: ['open'], load: async () => (await import('./commands/open.js')).openCommand },
  { names: ['mcp'], load: async () => (await import('./commands/mcp.js')).mcpCommand },
  { names: ['secrets'], load: async () => (await import('./commands/secrets.js')).secretsCommand },
  { names: ['db', 'migrate'], load: async () => (await import('./commands/db.js')).dbCommand },
  { names: ['doctor'], load: async () => (await import('./commands/doctor.js')).doctorCommand },
  { names: ['setup'], load: async () => (await import('./commands/setup.js')).setupCommand },
];

/** The modules this command line needs: none for --version, the named command's, or all (help, an unknown or no command). */
function needed(args: string[]): typeof modules {
  if (args.length === 1 && ['-V', '--version'].includes(args[0]!)) return [];
  const name = args.find((a) => !a.startsWith('-'));
  const one = modules.find((m) => name !== undefined && m.names.includes(name));
  return one ? [one] : modules;
}

const program = new Command('harness')
  .description('Vloop Harness: durable LLM components, pipelines and agents on Temporal')
  .version('0.1.0')
  // A command's options only before its subcommand (commander allows that below only when the root does too):
  // `eval -d` and `eval gate -d` are each their own.
  .enablePositionalOptions();

try {
  const load = needed(process.argv.slice(2));
  for (const add of await Promise.all(load.map((m) => m.load()))) add(program);
  if (load.some((m) => m.temporal)) {
    const [{ installTemporalRuntime }, { config }] = await Promise.all([
      import('../temporal/runtime.js'),
      import('./config.js'),
    ]);
    installTemporalRuntime(config().temporal.logLevel);
  }
  await program.parseAsync(process.argv);
} catch (err) {
  const message = err instanceof SpecError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}
