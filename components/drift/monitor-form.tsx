"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";

export interface MonitorFormValues {
  schedule: string | null;
  config: {
    window: { hours?: number; last?: number };
    test?: string;
    dataset_drift_share: number;
    min_rows: number;
    performance: { metric?: string; max_drop: number; min_labels: number };
    [k: string]: unknown;
  };
  retrain_policy: {
    enabled: boolean;
    consecutive: number;
    on: string;
    pipeline?: string;
    include_feedback: boolean;
    ab_test: { enabled: boolean; challenger_weight: number };
  };
  webhook_url: string | null;
  webhook_secret_set: boolean;
}

type SaveInput = { model: string; monitor: Record<string, unknown> };

/** Alert and retraining settings of one model's monitor. */
export function MonitorForm({ model, initial, tests, canEdit, save }: { model: string; initial: MonitorFormValues; tests: readonly string[]; canEdit: boolean; save: ServerAction<SaveInput, { next_run_at: string | null }> }) {
  const id = useId();
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [mode, setMode] = useState<"hours" | "last">(initial.config.window.last !== undefined ? "last" : "hours");

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setDone(null);
    const f = new FormData(e.currentTarget);
    const num = (k: string) => Number(String(f.get(k) ?? "").trim());
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const test = text("test");
    const secret = text("webhook_secret");
    const monitor: Record<string, unknown> = {
      schedule: text("schedule") || null,
      config: {
        ...initial.config,
        window: mode === "hours" ? { hours: num("window_value") } : { last: num("window_value") },
        test: test || undefined,
        dataset_drift_share: num("dataset_drift_share"),
        performance: { ...initial.config.performance, max_drop: num("max_drop") },
      },
      retrain_policy: {
        enabled: f.get("retrain_enabled") === "on",
        consecutive: num("consecutive"),
        on: text("on"),
        pipeline: text("pipeline") || undefined,
        include_feedback: f.get("include_feedback") === "on",
        ab_test: { enabled: f.get("ab_enabled") === "on", challenger_weight: num("challenger_weight") },
      },
      webhook_url: text("webhook_url") || null,
      ...(secret ? { webhook_secret: secret } : {}),
    };
    start(async () => {
      const r = await save({ model, monitor });
      if (!r.ok) {
        setError(r.error);
        return;
      }
      setDone(r.data.next_run_at ? `Saved. Next scheduled report: ${new Date(r.data.next_run_at).toLocaleString()}.` : "Saved.");
      router.refresh();
    });
  }

  const p = initial.retrain_policy;
  return (
    <form onSubmit={submit} className="space-y-6" aria-label="Monitor settings">
      <fieldset disabled={!canEdit || pending} className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Reports</legend>
        <Field id={`${id}-schedule`} label="Schedule (cron, UTC; empty: on demand only)">
          <input id={`${id}-schedule`} name="schedule" defaultValue={initial.schedule ?? ""} placeholder="0 * * * *" className="input font-mono" />
        </Field>
        <div className="text-sm">
          <span className="block font-medium">Window</span>
          <div className="mt-1 flex gap-2">
            <select aria-label="Window kind" value={mode} onChange={(e) => setMode(e.target.value as "hours" | "last")} className="input w-40">
              <option value="hours">last hours</option>
              <option value="last">last predictions</option>
            </select>
            <input
              aria-label={mode === "hours" ? "Hours" : "Predictions"}
              name="window_value"
              type="number"
              min={1}
              step={mode === "hours" ? "any" : 1}
              defaultValue={mode === "hours" ? (initial.config.window.hours ?? 24) : (initial.config.window.last ?? 10000)}
              key={mode}
              className="input"
            />
          </div>
        </div>
        <Field id={`${id}-test`} label="Test (every column)">
          <select id={`${id}-test`} name="test" defaultValue={initial.config.test ?? ""} className="input">
            <option value="">automatic (per column)</option>
            {tests.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-share`} label="Dataset drift when this share of columns drifts">
          <input id={`${id}-share`} name="dataset_drift_share" type="number" min={0} max={1} step="0.05" defaultValue={initial.config.dataset_drift_share} className="input" />
        </Field>
        <Field id={`${id}-drop`} label="Performance drop bound (accuracy points, or relative MAE rise)">
          <input id={`${id}-drop`} name="max_drop" type="number" min={0} step="0.01" defaultValue={initial.config.performance.max_drop} className="input" />
        </Field>
      </fieldset>

      <fieldset disabled={!canEdit || pending} className="grid gap-4 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Webhook</legend>
        <Field id={`${id}-url`} label="URL (alerts are POSTed as JSON)">
          <input id={`${id}-url`} name="webhook_url" type="url" defaultValue={initial.webhook_url ?? ""} placeholder="https://hooks.example.com/mlops" className="input" />
        </Field>
        <Field id={`${id}-secret`} label={initial.webhook_secret_set ? "Signing secret (set; type to replace)" : "Signing secret (HMAC-SHA256, 16+ characters)"}>
          <input id={`${id}-secret`} name="webhook_secret" type="password" autoComplete="new-password" minLength={16} className="input" />
        </Field>
      </fieldset>

      <fieldset disabled={!canEdit || pending} className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Retraining policy</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="retrain_enabled" defaultChecked={p.enabled} /> Retrain when drift persists
        </label>
        <Field id={`${id}-k`} label="Consecutive reports (K)">
          <input id={`${id}-k`} name="consecutive" type="number" min={1} max={100} defaultValue={p.consecutive} className="input" />
        </Field>
        <Field id={`${id}-on`} label="Condition">
          <select id={`${id}-on`} name="on" defaultValue={p.on} className="input">
            <option value="either">dataset drift or performance drop</option>
            <option value="dataset_drift">dataset drift</option>
            <option value="performance">performance drop</option>
          </select>
        </Field>
        <Field id={`${id}-pipeline`} label="Pipeline (name or id; empty: the model's own, else its last training)">
          <input id={`${id}-pipeline`} name="pipeline" defaultValue={p.pipeline ?? ""} className="input" />
        </Field>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="include_feedback" defaultChecked={p.include_feedback} /> Add labelled predictions to the training data
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="ab_enabled" defaultChecked={p.ab_test.enabled} /> Start an A/B test against the champion
        </label>
        <Field id={`${id}-weight`} label="Challenger traffic (%)">
          <input id={`${id}-weight`} name="challenger_weight" type="number" min={1} max={99} defaultValue={p.ab_test.challenger_weight} className="input" />
        </Field>
      </fieldset>

      {error && <Alert>{error}</Alert>}
      {done && (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          {done}
        </p>
      )}
      <button type="submit" className="btn-primary" disabled={!canEdit || pending} title={canEdit ? undefined : "Editors and admins can change monitors"}>
        {pending ? "Saving…" : "Save monitor"}
      </button>
    </form>
  );
}
