"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { useHydrated } from "@/components/ui/use-hydrated";

/** Marks an alert as seen. */
export function AcknowledgeButton({ id, canEdit, acknowledge }: { id: string; canEdit: boolean; acknowledge: ServerAction<{ id: string }> }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className="btn-secondary px-2.5 py-1 text-xs"
        disabled={!canEdit || !hydrated || pending}
        title={canEdit ? undefined : "Editors and admins can acknowledge alerts"}
        onClick={() =>
          start(async () => {
            const r = await acknowledge({ id });
            if (!r.ok) setError(r.error);
            else router.refresh();
          })
        }
      >
        {pending ? "Acknowledging…" : "Acknowledge"}
      </button>
      {error && <span role="alert" className="text-xs text-red-600">{error}</span>}
    </span>
  );
}

/** Queues a report over the monitor's window and says which job runs it. */
export function RunReportButton({ model, canEdit, run }: { model: string; canEdit: boolean; run: ServerAction<{ model: string }, { jobId: string }> }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <button
        type="button"
        className="btn-primary"
        disabled={!canEdit || !hydrated || pending}
        title={canEdit ? undefined : "Editors and admins can run reports"}
        onClick={() =>
          start(async () => {
            const r = await run({ model });
            setMessage(r.ok ? { ok: true, text: `Report queued (job ${r.data.jobId.slice(0, 8)}); it appears below when done.` } : { ok: false, text: r.error });
            if (r.ok) setTimeout(() => router.refresh(), 3000);
          })
        }
      >
        {pending ? "Queueing…" : "Run report now"}
      </button>
      {message && (
        <span role={message.ok ? "status" : "alert"} className={message.ok ? "text-xs text-emerald-700 dark:text-emerald-400" : "text-xs text-red-600"}>
          {message.text}
        </span>
      )}
    </span>
  );
}

/** Uploads a CSV of current data (header with the feature names) and queues a report over it. */
export function CsvReportUpload({ model, canEdit }: { model: string; canEdit: boolean }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  async function upload(file: File) {
    setPending(true);
    setMessage(null);
    try {
      const res = await fetch(`/api/v1/models/${encodeURIComponent(model)}/drift/reports/csv`, { method: "POST", headers: { "content-type": "text/csv" }, body: file });
      const body = (await res.json()) as { job?: { id: string }; error?: { message: string } };
      if (res.ok && body.job) {
        setMessage({ ok: true, text: `Report on ${file.name} queued (job ${body.job.id.slice(0, 8)}); it appears below when done.` });
        setTimeout(() => router.refresh(), 3000);
      } else setMessage({ ok: false, text: body.error?.message ?? `Upload failed (${res.status})` });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      setPending(false);
    }
  }
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <label className={`btn-secondary ${!canEdit || !hydrated || pending ? "pointer-events-none opacity-50" : "cursor-pointer"}`} title={canEdit ? "A CSV with the model's feature columns" : "Editors and admins can run reports"}>
        {pending ? "Uploading…" : "Report on a CSV…"}
        <input
          type="file"
          accept=".csv,text/csv"
          className="sr-only"
          aria-label="CSV of current data"
          disabled={!canEdit || !hydrated || pending}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) void upload(file);
          }}
        />
      </label>
      {message && (
        <span role={message.ok ? "status" : "alert"} className={message.ok ? "text-xs text-emerald-700 dark:text-emerald-400" : "text-xs text-red-600"}>
          {message.text}
        </span>
      )}
    </span>
  );
}
