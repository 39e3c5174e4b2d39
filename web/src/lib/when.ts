// Moments as the lists show them, in the viewer's locale and time zone.

/** The time of day for today's moments, else the date and the time. */
export function formatMoment(iso: string, now = new Date()): string {
  const t = new Date(iso);
  if (t.toDateString() === now.toDateString()) return t.toLocaleTimeString();
  return t.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
