// Where the embedded model is for tests: LOCAL_MODEL_PATH, else what `npm run setup` installed.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LOCAL_MODEL } from '../../providers/local-models.js';

export function localModelPath(): string {
  const file = process.env.LOCAL_MODEL_PATH || path.resolve('.vloop', 'models', DEFAULT_LOCAL_MODEL.file);
  if (!fs.existsSync(file))
    throw new Error(`the embedded model is missing at ${file}: run 'npm run setup' (CI does) or set LOCAL_MODEL_PATH`);
  return file;
}
