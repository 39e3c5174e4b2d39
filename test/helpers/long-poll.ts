// The test dev server's long-poll interval: a poll a SIGSTOPped worker left open still takes a task until
// it expires, so a test that stops a worker waits this long before the work it means for the others.
export const LONG_POLL_MS = 5_000;

/** The dynamic config that sets it (Temporal's default is a minute). */
export const longPollConfig = `matching.longPollExpirationInterval="${LONG_POLL_MS / 1000}s"`;
