// The secrets a process has seen, so every outgoing event, frame and log line can be scrubbed of them.

const SECRET_NAME = /(_API_KEY|_TOKEN|_SECRET|SECRET_KEY)$/;

export class SecretSet {
  private readonly values = new Set<string>();
  /** `env`: the variables read at the edge; those named like secrets join the set. */
  constructor(env: Record<string, string | undefined> = {}) {
    this.addFromEnv(env);
  }
  addFromEnv(env: Record<string, string | undefined>): void {
    for (const [k, v] of Object.entries(env)) if (v && SECRET_NAME.test(k)) this.add(v);
  }
  add(value: string | undefined): void {
    if (value && value.length >= 6) this.values.add(value);
  }
  /** Forget every value: a process that hosts one backend after another (the test suite's workers) starts each clean. */
  clear(): void {
    this.values.clear();
  }
  list(): string[] {
    return [...this.values];
  }
}

/** The process's one set: the edge seeds it from the environment; keys join it when decrypted. */
export const processSecrets = new SecretSet();
