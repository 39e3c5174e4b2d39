// Order steps of a test by conditions, not sleeps: a latch one side opens and the other waits on, and a
// barrier that lets a party through only once all have arrived. A wait that is never met ends at its deadline
// with `false`, so a wrong order shows as a failed assertion instead of a hang.

export interface Latch {
  open(): void;
  /** True once opened; false when the deadline came first. */
  wait(timeoutMs?: number): Promise<boolean>;
  readonly isOpen: boolean;
}

export function latch(): Latch {
  let opened = false;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    open() {
      opened = true;
      release();
    },
    wait: (timeoutMs = 20_000) => within(gate, timeoutMs),
    get isOpen() {
      return opened;
    },
  };
}

/** Each party waits until `parties` have arrived: proof that they were all in flight at once. */
export function barrier(parties: number) {
  let arrived = 0;
  const all = latch();
  return {
    arrive(timeoutMs?: number): Promise<boolean> {
      if (++arrived >= parties) all.open();
      return all.wait(timeoutMs);
    },
    get arrived() {
      return arrived;
    },
  };
}

/** Latches by name, made on first use by either side. */
export function latches() {
  const byName = new Map<string, Latch>();
  return (name: string): Latch => byName.get(name) ?? byName.set(name, latch()).get(name)!;
}

async function within(gate: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([gate.then(() => true), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
