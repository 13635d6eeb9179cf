"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { ProgressBar } from "@/components/ui/progress-bar";

interface JobPoll {
  state: "queued" | "running" | "succeeded" | "dead" | "cancelled";
  progress: number;
  progressMessage: string | null;
  error: string | null;
  result: { links?: Record<string, string>; notes?: string[] } | null;
}

const LINK_LABELS: Record<string, string> = {
  experiment: "the experiment",
  study: "the tuning study",
  model: "the model",
  abTest: "the A/B test",
  drift: "the drift monitor",
};

/** The overview's "Load demo data" card (admins, empty instance): queues the demo job and follows it. */
export function LoadDemo({ load, activeJobId }: { load: ServerAction<Record<string, never>, { jobId: string }>; activeJobId: string | null }) {
  const router = useRouter();
  const [jobId, setJobId] = useState<string | null>(activeJobId);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const job = useQuery({
    queryKey: ["demo-job", jobId],
    enabled: !!jobId,
    queryFn: async (): Promise<JobPoll> => {
      const res = await fetch(`/api/v1/jobs/${jobId}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`The job could not be read (${res.status})`);
      return res.json() as Promise<JobPoll>;
    },
    refetchInterval: (q) => (q.state.data && !["queued", "running"].includes(q.state.data.state) ? false : 1000),
  });
  const state = job.data?.state;

  const start = () =>
    startTransition(async () => {
      setError(null);
      const r = await load({});
      if (r.ok) setJobId(r.data.jobId);
      else setError(r.error);
    });

  return (
    <section aria-labelledby="demo-title" className="card mt-8 p-6">
      <h2 id="demo-title" className="text-lg font-semibold">New here? Load the demo story</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        A worker builds a complete example through the API in a minute or two: a synthetic customer-churn dataset and
        the public iris, wine and diabetes sets, an experiment with runs of every model family, a tuning study, a model with
        a champion and a challenger, an A/B test with simulated traffic, and a drift episode that triggers a retraining.
        The same as <code className="font-mono">npx mlops demo</code>.
      </p>
      {!jobId && (
        <button type="button" className="btn-primary mt-4" onClick={start} disabled={pending}>
          {pending ? "Starting…" : "Load demo data"}
        </button>
      )}
      {error && <Alert className="mt-3">{error}</Alert>}
      {jobId && state !== "succeeded" && state !== "dead" && state !== "cancelled" && (
        <div className="mt-4 space-y-1">
          <ProgressBar value={job.data?.progress ?? 0} label="Demo progress" />
          <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite">
            {state === "queued" || !job.data ? "Waiting for a worker…" : (job.data.progressMessage ?? "Working…")}
          </p>
        </div>
      )}
      {(state === "dead" || state === "cancelled") && <Alert className="mt-3">The demo stopped: {job.data?.error ?? state}</Alert>}
      {state === "succeeded" && (
        <Alert tone="success" className="mt-3">
          The demo story is ready. Start with{" "}
          {Object.entries(job.data?.result?.links ?? {})
            .filter(([k]) => k in LINK_LABELS)
            .map(([k, href], i, all) => (
              <span key={k}>
                <a href={href} className="link">
                  {LINK_LABELS[k]}
                </a>
                {i < all.length - 1 ? ", " : "."}
              </span>
            ))}{" "}
          <button type="button" className="link" onClick={() => router.refresh()}>
            Refresh the overview
          </button>
        </Alert>
      )}
    </section>
  );
}
