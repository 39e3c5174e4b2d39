// When a long run hands over to a new execution: Temporal suggests it, or the history passed our event
// or byte budget (well under Temporal's 10,240-event warning and 51,200-event limit).
import { workflowInfo } from '@temporalio/workflow';

const HISTORY_BYTES = 8 * 1024 * 1024;

export function historyFull(continueAfterEvents: number | undefined): boolean {
  const info = workflowInfo();
  return (
    info.continueAsNewSuggested ||
    info.historyLength > (continueAfterEvents ?? 8000) ||
    info.historySize >= HISTORY_BYTES
  );
}
