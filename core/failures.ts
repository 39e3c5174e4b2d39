// The reason a failure carries: Temporal wraps it (ActivityFailure, ChildWorkflowFailure), so dig to the innermost message.

/** The innermost message of an error chain ("Child Workflow execution failed" -> the child's real reason). */
export function failureMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause && typeof e.cause === 'object' && (e.cause as { message?: string }).message) e = e.cause as typeof e;
  return e?.message || String(err);
}

/** The innermost failure type (ApplicationFailure.type), when one is given. */
export function failureType(err: unknown): string | undefined {
  let e = err as { type?: string; cause?: unknown } | undefined;
  let type: string | undefined = e?.type;
  while (e?.cause && typeof e.cause === 'object') {
    e = e.cause as typeof e;
    if (typeof e.type === 'string' && e.type) type = e.type;
  }
  return type;
}
