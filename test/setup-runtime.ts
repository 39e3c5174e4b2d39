import { processSecrets } from '../core/secrets.js';
import { installTemporalRuntime } from '../temporal/runtime.js';

// The test process is an edge like the CLI: secrets named in its environment are scrubbed everywhere.
processSecrets.addFromEnv(process.env);
installTemporalRuntime('WARN');
