// Feedback as the API answers it (GET/POST /api/runs/:id/feedback) and the project's labels, for the feedback components.
import { http } from '../../api/http';

export interface Feedback {
  id: string;
  runId: string;
  stepId: string | null;
  thumbs: 'up' | 'down' | null;
  score: number | null;
  label: string | null;
  note: string | null;
  negative: boolean;
  createdAt: string;
}

export interface FeedbackLabel {
  name: string;
  negative: boolean;
}

export type NewFeedback = Partial<Pick<Feedback, 'thumbs' | 'score' | 'label' | 'note'>> & { stepId?: string };

const path = (runId: string) => `/runs/${encodeURIComponent(runId)}/feedback`;

export const listFeedback = async (runId: string) => (await http.get<{ feedback: Feedback[] }>(path(runId))).feedback;
export const addFeedback = (runId: string, body: NewFeedback) => http.post<Feedback>(path(runId), body);
export const deleteFeedback = (runId: string, id: string) => http.del(`${path(runId)}/${encodeURIComponent(id)}`);
export const feedbackLabels = async () => (await http.get<{ labels: FeedbackLabel[] }>('/feedback/labels')).labels;

/** One line for a feedback: thumbs down · 2/5 · incorrect · “the note”. */
export function describeFeedback(f: Pick<Feedback, 'thumbs' | 'score' | 'label' | 'note'>): string {
  return [
    f.thumbs ? `thumbs ${f.thumbs}` : '',
    f.score !== null ? `${f.score}/5` : '',
    f.label ?? '',
    f.note ? `“${f.note}”` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}
