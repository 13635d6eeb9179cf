"use client";

import { useId, useState, useTransition, type FormEvent } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";

type Retention = { days: number; source: "setting" | "default" };

/** The prediction log's retention: admins change it; everyone else reads it. */
export function RetentionForm({ initial, editable, save }: { initial: Retention; editable: boolean; save: ServerAction<{ days: number }, Retention> }) {
  const id = useId();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [current, setCurrent] = useState(initial);
  const [saved, setSaved] = useState(false);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const days = Number(new FormData(e.currentTarget).get("days"));
    setError(null);
    setSaved(false);
    startTransition(async () => {
      const res = await save({ days });
      if (res.ok) {
        setCurrent(res.data);
        setSaved(true);
      } else setError(res.error);
    });
  }

  return (
    <form onSubmit={onSubmit} aria-label="Prediction log retention" className="mt-4 flex flex-wrap items-end gap-4">
      <Field id={`${id}-days`} label="Keep predictions and feedback for (days)">
        <input id={`${id}-days`} name="days" type="number" min={1} max={3650} step={1} required defaultValue={current.days} disabled={!editable} className="input w-32" />
      </Field>
      {editable && (
        <button type="submit" disabled={pending} className="btn-primary">
          {pending ? "Saving…" : "Save"}
        </button>
      )}
      <p className="basis-full text-sm text-zinc-500 dark:text-zinc-400">
        {current.source === "default" ? "Not set: the general retention (RETENTION_DAYS) applies. " : ""}
        The daily cleanup job deletes older predictions.{saved ? " Saved." : ""}
      </p>
      {error && <Alert>{error}</Alert>}
    </form>
  );
}
