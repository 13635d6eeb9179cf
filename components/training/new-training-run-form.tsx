"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { FoldsField, foldsFrom } from "./folds-field";

export interface TrainingSpecInput {
  dataset: { name: string; version: number | "latest" };
  target: string;
  family: string;
  params: Record<string, unknown>;
  seed: number;
  split: { test: number; validation: number; folds?: number };
  register?: { name: string };
  hpo?: { trials: number };
  refit?: boolean;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

export function NewTrainingRunForm({
  datasets,
  dataset,
  versions,
  version,
  columns,
  suggestedTarget,
  families,
  defaults,
  seed,
  startTraining,
}: {
  datasets: string[];
  dataset: string;
  versions: number[];
  version: number | null;
  columns: { name: string; type: string }[];
  suggestedTarget: string | null;
  families: string[];
  /** Default hyperparameters of each family (auto has none of its own). */
  defaults: Record<string, Record<string, unknown>>;
  seed: number;
  startTraining: ServerAction<TrainingSpecInput, { jobId: string }>;
}) {
  const id = useId();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [family, setFamily] = useState(families[0] ?? "linear");
  const [params, setParams] = useState(pretty(defaults[families[0] ?? ""] ?? {}));

  // Changing the dataset or version reloads the page so the target select lists that version's columns.
  function choose(next: { dataset?: string; version?: string }) {
    const q = new URLSearchParams({ dataset: next.dataset ?? dataset });
    if (next.version) q.set("version", next.version);
    router.replace(`/train?${q.toString()}`);
  }

  function onFamily(f: string) {
    setFamily(f);
    setParams(pretty(defaults[f] ?? {}));
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    let parsed: unknown;
    try {
      parsed = JSON.parse(params.trim() || "{}");
    } catch {
      setError("Hyperparameters must be a JSON object, e.g. {\"epochs\": 50}");
      return;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      setError("Hyperparameters must be a JSON object, e.g. {\"epochs\": 50}");
      return;
    }
    const registerAs = String(form.get("register") ?? "").trim();
    const trials = Number(form.get("hpo") ?? 0);
    if (trials > 0) {
      // A search tunes what the JSON leaves at the family's defaults; changed values stay fixed.
      const defs = defaults[family] ?? {};
      parsed = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defs[k])));
    }
    const input: TrainingSpecInput = {
      dataset: { name: dataset, version: version ?? "latest" },
      target: String(form.get("target") ?? ""),
      family,
      params: parsed as Record<string, unknown>,
      seed: Number(form.get("seed")),
      split: {
        test: Number(form.get("test")),
        validation: Number(form.get("validation")),
        ...foldsFrom(form.get("folds")),
      },
      ...(registerAs ? { register: { name: registerAs } } : {}),
      ...(trials > 0 ? { hpo: { trials } } : {}),
      refit: form.get("refit") === "on",
    };
    setError(null);
    startTransition(async () => {
      const res = await startTraining(input);
      if (res.ok) router.push(`/jobs?highlight=${encodeURIComponent(res.data.jobId)}`);
      else setError(res.error);
    });
  }

  return (
    <form onSubmit={onSubmit} aria-label="New training run" className="card grid gap-4 p-6 sm:grid-cols-2 lg:grid-cols-3">
      <Field id={`${id}-dataset`} label="Dataset">
        <select id={`${id}-dataset`} value={dataset} onChange={(e) => choose({ dataset: e.target.value })} className="input">
          {datasets.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${id}-version`} label="Version">
        <select id={`${id}-version`} value={version ?? ""} onChange={(e) => choose({ version: e.target.value })} className="input">
          {versions.map((v) => (
            <option key={v} value={v}>
              v{v}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${id}-target`} label="Target column">
        <select id={`${id}-target`} name="target" required defaultValue={suggestedTarget ?? columns.at(-1)?.name ?? ""} className="input">
          {columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.type})
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${id}-family`} label="Model family">
        <select id={`${id}-family`} value={family} onChange={(e) => onFamily(e.target.value)} className="input">
          {families.map((f) => (
            <option key={f} value={f}>
              {f === "auto" ? "auto (try every family, keep the best on validation)" : f}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${id}-seed`} label="Seed">
        <input id={`${id}-seed`} name="seed" type="number" min={0} step={1} required defaultValue={seed} className="input" />
      </Field>
      <Field id={`${id}-register`} label="Register as model (optional)">
        <input id={`${id}-register`} name="register" type="text" maxLength={250} placeholder="e.g. churn" autoComplete="off" className="input" />
      </Field>
      <Field id={`${id}-hpo`} label="Hyperparameter search: trials (0 = off)">
        <input id={`${id}-hpo`} name="hpo" type="number" min={0} max={500} step={1} required defaultValue={0} className="input" />
      </Field>
      <Field id={`${id}-test`} label="Test fraction">
        <input id={`${id}-test`} name="test" type="number" min={0.05} max={0.9} step={0.05} required defaultValue={0.2} className="input" />
      </Field>
      <Field id={`${id}-validation`} label="Validation fraction (of the training part)">
        <input id={`${id}-validation`} name="validation" type="number" min={0.05} max={0.9} step={0.05} required defaultValue={0.2} className="input" />
      </Field>
      <FoldsField id={`${id}-folds`} />
      <div className="flex items-start gap-2 text-sm sm:col-span-2 lg:col-span-3">
        <input id={`${id}-refit`} name="refit" type="checkbox" defaultChecked className="mt-1" />
        <label htmlFor={`${id}-refit`}>
          Refit on train + validation
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">
            The stored model is trained again on every non-test row for the epochs (boosting rounds) early stopping chose. Off: keep the
            early-stopped model (one validation split only).
          </span>
        </label>
      </div>
      <Field id={`${id}-params`} label="Hyperparameters (JSON; defaults of the family shown)" className="sm:col-span-2 lg:col-span-3">
        <textarea
          id={`${id}-params`}
          value={params}
          onChange={(e) => setParams(e.target.value)}
          rows={8}
          spellCheck={false}
          className="input font-mono text-xs"
        />
        {family === "auto" && (
          <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            For auto, give parameters per family, e.g. {"{\"mlp\": {\"epochs\": 100}}"}, or leave empty for each family&apos;s defaults.
          </p>
        )}
      </Field>
      <div className="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-3">
        <button type="submit" disabled={pending || columns.length === 0} className="btn-primary">
          {pending ? "Starting…" : "Start training"}
        </button>
        {error && (
          <Alert tone="error" className="flex-1">
            {error}
          </Alert>
        )}
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          Registered versions become champion when the model has none, challenger when they beat the champion.
        </p>
      </div>
    </form>
  );
}
