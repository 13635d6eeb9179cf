"use client";

import { useEffect } from "react";

export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  // Production replaces server error messages with a generic one; the digest links to the server log.
  const message = error instanceof Error ? error.message : String(error);
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <div role="alert" className="card mx-auto mt-8 max-w-xl p-6">
      <h1 className="text-lg font-semibold">Something went wrong</h1>
      <p className="mt-2 text-sm break-words text-zinc-600 dark:text-zinc-400">{message || "An unexpected error occurred."}</p>
      {digest && <p className="mt-1 font-mono text-xs text-zinc-400">Reference: {digest}</p>}
      <button type="button" onClick={() => retry()} className="btn-primary mt-5">
        Try again
      </button>
    </div>
  );
}
