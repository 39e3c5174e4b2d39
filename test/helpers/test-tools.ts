// Where `npm run setup:test-tools` puts the tools only the tests use (.vloop/tools), and the Node 24 that runs them.
import { harnessFile } from '../../config/root.js';

export const NODE24 = harnessFile('.vloop', 'tools', 'node24', 'node');
/** A file of an npm-installed test tool: `.vloop/tools/<tool>/node_modules/<parts…>`. */
export const testToolModule = (tool: string, ...parts: string[]) =>
  harnessFile('.vloop', 'tools', tool, 'node_modules', ...parts);
