// Kept out of the client component so the server page can compute the same value.

export type RunSnapshot = { status: string; endTime: number | null; metrics: Record<string, { step: number; timestamp: number }> };

/** What changes when a run logs something or ends; equal on the server page and in the poll. */
export function runFingerprint(run: RunSnapshot): string {
  const metrics = Object.entries(run.metrics)
    .map(([k, m]) => `${k}:${m.step}:${m.timestamp}`)
    .sort()
    .join("|");
  return `${run.status}/${run.endTime ?? ""}/${metrics}`;
}

