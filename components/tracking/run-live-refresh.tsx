"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { runFingerprint, type RunSnapshot } from "./run-fingerprint";

const POLL_MS = 2000;

/**
 * While a run is RUNNING, polls its small JSON summary and re-renders the page (charts included)
 * only when something new was logged or the run ended.
 */
export function RunLiveRefresh({ runId, status, fingerprint }: { runId: string; status: string; fingerprint: string }) {
  const router = useRouter();
  const { data } = useQuery({
    queryKey: ["run-summary", runId],
    queryFn: async ({ signal }) => {
      const res = await fetch(`/api/v1/runs/${runId}`, { cache: "no-store", signal, headers: { accept: "application/json" } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as RunSnapshot;
    },
    enabled: status === "RUNNING",
    refetchInterval: (q) => (q.state.data && q.state.data.status !== "RUNNING" ? false : POLL_MS),
  });
  const latest = data ? runFingerprint(data) : null;
  useEffect(() => {
    if (latest && latest !== fingerprint) router.refresh();
  }, [latest, fingerprint, router]);

  if (status !== "RUNNING") return null;
  return (
    <span className="inline-flex items-center gap-1.5 text-sm text-sky-700 dark:text-sky-300" title="Refreshes while the run is running">
      <span className="size-2 animate-pulse rounded-full bg-current" aria-hidden="true" />
      Live
    </span>
  );
}
