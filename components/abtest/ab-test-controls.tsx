"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState, useTransition, type FormEvent } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { useHydrated } from "@/components/ui/use-hydrated";

export const CANNOT_EDIT = "Editors and admins can change A/B tests";

type Lifecycle = ServerAction<{ id: string }, { state: string }>;
type PromoteResult = { fromVersion: number | null; toVersion: number; changed: boolean; model: string };

/** Start / pause / stop, as the state allows. */
export function AbTestControls({
  id,
  state,
  canEdit,
  start,
  pause,
  stop,
}: {
  id: string;
  state: string;
  canEdit: boolean;
  start: Lifecycle;
  pause: Lifecycle;
  stop: Lifecycle;
}) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  function run(fn: Lifecycle, confirmText?: string) {
    if (confirmText && !window.confirm(confirmText)) return;
    setError(null);
    startTransition(async () => {
      const res = await fn({ id });
      if (!res.ok) setError(res.error);
      else router.refresh();
    });
  }

  const disabled = !canEdit || !hydrated || pending;
  const title = canEdit ? undefined : CANNOT_EDIT;
  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex gap-2">
        {(state === "draft" || state === "paused") && (
          <button type="button" className="btn-primary" disabled={disabled} title={title} onClick={() => run(start)}>
            {state === "draft" ? "Start" : "Resume"}
          </button>
        )}
        {state === "running" && (
          <button type="button" className="btn-secondary" disabled={disabled} title={title} onClick={() => run(pause)}>
            Pause
          </button>
        )}
        {state !== "stopped" && (
          <button
            type="button"
            className="btn-danger"
            disabled={disabled}
            title={title}
            onClick={() => run(stop, "Stop this test? Traffic goes back to the champion, and a stopped test cannot restart.")}
          >
            Stop
          </button>
        )}
      </div>
      {error && <Alert>{error}</Alert>}
    </div>
  );
}

/** "Promote winner": moves champion to the winning arm's version of a stopped test, with a reason for the audit log. */
export function PromoteWinnerButton({
  id,
  winner,
  version,
  modelName,
  canEdit,
  promote,
}: {
  id: string;
  winner: string;
  version: number;
  modelName: string;
  canEdit: boolean;
  promote: ServerAction<{ id: string; reason?: string }, PromoteResult>;
}) {
  const ids = useId();
  const router = useRouter();
  const hydrated = useHydrated();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    startTransition(async () => {
      const res = await promote({ id, reason: reason.trim() || undefined });
      if (!res.ok) {
        setError(res.error);
        return;
      }
      dialogRef.current?.close();
      const r = res.data;
      setDone(r.changed ? `champion of ${r.model} moved from version ${r.fromVersion ?? "–"} to version ${r.toVersion}.` : `champion already pointed at version ${r.toVersion}.`);
      router.refresh();
    });
  }

  return (
    <div className="inline-flex flex-col items-end gap-1">
      <button
        type="button"
        className="btn-primary"
        disabled={!canEdit || !hydrated}
        title={canEdit ? undefined : CANNOT_EDIT}
        onClick={() => {
          setError(null);
          setDone(null);
          dialogRef.current?.showModal();
        }}
      >
        Promote winner
      </button>
      {done && (
        <p role="status" className="max-w-72 text-right text-xs text-emerald-700 dark:text-emerald-400">
          {done}
        </p>
      )}
      <dialog
        ref={dialogRef}
        aria-labelledby={`${ids}-title`}
        className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-left text-zinc-900 shadow-xl backdrop:bg-zinc-950/50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <form onSubmit={submit} className="space-y-4 p-6">
          <h2 id={`${ids}-title`} className="text-lg font-semibold">
            Promote arm {winner}
          </h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-300">
            <strong>champion</strong> of {modelName} moves to version {version}. Serving switches at once.
          </p>
          <div className="text-sm">
            <label htmlFor={`${ids}-reason`} className="block font-medium">
              Reason (optional)
            </label>
            <textarea id={`${ids}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} rows={3} className="input mt-1" />
            <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">Recorded in the audit log with the test and your name.</p>
          </div>
          {error && <Alert>{error}</Alert>}
          <div className="flex justify-end gap-2 pt-2">
            <button type="button" className="btn-secondary" onClick={() => dialogRef.current?.close()} disabled={pending}>
              Cancel
            </button>
            <button type="submit" className="btn-primary" disabled={pending}>
              {pending ? "Promoting…" : "Promote"}
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}
