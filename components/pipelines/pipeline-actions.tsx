"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";

type Patch = { schedule?: string | null; enabled?: boolean };

/** Run now, schedule, enable/disable and delete, for editors. */
export function PipelineActions({
  id,
  schedule,
  enabled,
  run,
  update,
  remove,
}: {
  id: string;
  schedule: string | null;
  enabled: boolean;
  run: ServerAction<{ id: string; reason?: string }, { jobId: string }>;
  update: ServerAction<{ id: string; patch: Patch }, { schedule: string | null; enabled: boolean }>;
  remove: ServerAction<{ id: string }, { id: string }>;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const scheduleId = useId();
  const [cron, setCron] = useState(schedule ?? "");
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  const act = (fn: () => Promise<{ ok: true; text: string } | { ok: false; error: string }>) =>
    startTransition(async () => {
      setMessage(null);
      const r = await fn();
      setMessage(r.ok ? { tone: "success", text: r.text } : { tone: "error", text: r.error });
      await queryClient.invalidateQueries({ queryKey: ["pipeline-runs", id] });
      router.refresh();
    });

  return (
    <div className="card space-y-3 p-4">
      <div className="flex flex-wrap items-end gap-3">
        <button
          type="button"
          className="btn-primary"
          disabled={pending}
          onClick={() =>
            act(async () => {
              const r = await run({ id });
              return r.ok ? { ok: true, text: "Run queued; it appears in the history below." } : r;
            })
          }
        >
          Run now
        </button>
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            act(async () => {
              const r = await update({ id, patch: { schedule: cron.trim() || null } });
              return r.ok ? { ok: true, text: r.data.schedule ? `Schedule set to '${r.data.schedule}' (UTC).` : "Schedule removed." } : r;
            });
          }}
        >
          <label htmlFor={scheduleId} className="text-sm">
            <span className="block font-medium">Cron schedule (UTC)</span>
            <input id={scheduleId} value={cron} onChange={(e) => setCron(e.target.value)} className="input mt-1 w-56 font-mono" placeholder="none" />
          </label>
          <button type="submit" className="btn-secondary" disabled={pending}>
            Save schedule
          </button>
        </form>
        <button
          type="button"
          className="btn-secondary"
          disabled={pending}
          onClick={() =>
            act(async () => {
              const r = await update({ id, patch: { enabled: !enabled } });
              return r.ok ? { ok: true, text: r.data.enabled ? "Enabled: schedule and dataset trigger are on." : "Disabled: only manual runs start it." } : r;
            })
          }
        >
          {enabled ? "Disable" : "Enable"}
        </button>
        <button
          type="button"
          className="btn-danger ml-auto"
          disabled={pending}
          onClick={() => {
            if (!window.confirm("Delete this pipeline and its run history? Runs and models it made stay.")) return;
            startTransition(async () => {
              const r = await remove({ id });
              if (r.ok) router.push("/pipelines");
              else setMessage({ tone: "error", text: r.error });
            });
          }}
        >
          Delete
        </button>
      </div>
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
    </div>
  );
}
