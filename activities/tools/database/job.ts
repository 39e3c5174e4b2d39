// What the database tool hands its query process, and what comes back.
interface Caps {
  sql: string;
  readOnly: boolean;
  maxRows: number;
  maxBytes: number;
  timeoutMs: number;
}

export type QueryJob =
  | (Caps & {
      engine: 'sqlite';
      /** The real path the tool checked; the process refuses a database it opened elsewhere. */
      file: string;
      /** `dev:ino` of the checked file, when it existed. */
      inode?: string | undefined;
      /** The harness directory: a descriptor there means the open went astray. */
      hidden: string[];
    })
  | (Caps & { engine: 'postgres'; url: string; statements: Array<{ text: string; select: boolean }> });

export type QueryAnswer = { ok: true; output: string } | { ok: false; error: string };
