// The `harness` command line.
import { Command } from 'commander';
import { SpecError } from '../core/errors.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { appCommands } from './commands/apps.js';
import { backendCommand } from './commands/backend.js';
import { chatCommand } from './commands/chat.js';
import { componentCommands } from './commands/components.js';
import { dbCommand } from './commands/db.js';
import { doctorCommand } from './commands/doctor.js';
import { openCommand } from './commands/open.js';
import { secretsCommand } from './commands/secrets.js';
import { evalCommands } from './commands/evals.js';
import { forkCommands } from './commands/fork.js';
import { logsCommand } from './commands/logs.js';
import { mcpCommand } from './commands/mcp.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
import { servicesCommand } from './commands/services.js';
import { setupCommand } from './commands/setup.js';
import { upCommand } from './commands/up.js';
import { workerCommand } from './commands/worker.js';
import { config } from './config.js';

const program = new Command('harness').description('Vloop Harness: durable LLM components, pipelines and agents on Temporal').version('0.1.0');
for (const add of [upCommand, servicesCommand, backendCommand, workerCommand, runCommand, replayCommand, forkCommands, componentCommands, logsCommand, chatCommand, evalCommands, appCommands, openCommand, mcpCommand, secretsCommand, dbCommand, doctorCommand, setupCommand]) add(program);

try {
  installTemporalRuntime(config().temporal.logLevel);
  await program.parseAsync(process.argv);
} catch (err) {
  const message = err instanceof SpecError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}
