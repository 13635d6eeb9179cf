"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";

export interface ModelChoice {
  name: string;
  versions: number[];
  /** alias → version */
  aliases: Record<string, number>;
}

type Target = { alias: string } | { version: number };

export interface AbTestFormInput {
  name: string;
  model: string;
  arms: ({ name: string; weight: number } & Target)[];
  shadow?: Target | null;
  metric: { kind: "conversion" | "mean" | "accuracy" };
  min_samples?: number;
  start?: boolean;
}

interface ArmRow {
  key: number;
  name: string;
  target: string;
  weight: string;
}

const METRICS = [
  { value: "conversion", label: "Conversion rate (feedback 0/1)" },
  { value: "mean", label: "Mean of a numeric outcome" },
  { value: "accuracy", label: "Accuracy (feedback label = prediction)" },
] as const;

/** Select values: "alias:champion" or "version:3". */
function targetOptions(m: ModelChoice | undefined): { value: string; label: string }[] {
  if (!m) return [];
  const aliases = Object.entries(m.aliases)
    .sort(([a], [b]) => (a === "champion" ? -1 : b === "champion" ? 1 : a.localeCompare(b)))
    .map(([a, v]) => ({ value: `alias:${a}`, label: `${a} (v${v})` }));
  return [...aliases, ...m.versions.map((v) => ({ value: `version:${v}`, label: `version ${v}` }))];
}

function toTarget(value: string): Target {
  const [kind, rest] = [value.slice(0, value.indexOf(":")), value.slice(value.indexOf(":") + 1)];
  return kind === "alias" ? { alias: rest } : { version: Number(rest) };
}

function defaultArms(m: ModelChoice | undefined): ArmRow[] {
  const opts = targetOptions(m);
  const champion = m?.aliases.champion !== undefined ? "alias:champion" : (opts[0]?.value ?? "");
  const challenger =
    m?.aliases.challenger !== undefined ? "alias:challenger" : (opts.find((o) => o.value !== champion && o.value.startsWith("version:"))?.value ?? champion);
  return [
    { key: 1, name: "control", target: champion, weight: "50" },
    { key: 2, name: "treatment", target: challenger, weight: "50" },
  ];
}

export function AbTestForm({ models, initialModel, create }: { models: ModelChoice[]; initialModel?: string; create: ServerAction<AbTestFormInput, { id: string }> }) {
  const id = useId();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [modelName, setModelName] = useState(initialModel && models.some((m) => m.name === initialModel) ? initialModel : (models[0]?.name ?? ""));
  const model = models.find((m) => m.name === modelName);
  const options = targetOptions(model);
  const [arms, setArms] = useState<ArmRow[]>(() => defaultArms(model));
  const [nextKey, setNextKey] = useState(3);
  const [shadow, setShadow] = useState("");
  const [name, setName] = useState("");
  const [metric, setMetric] = useState<AbTestFormInput["metric"]["kind"]>("conversion");
  const [minSamples, setMinSamples] = useState("100");
  const [start, setStart] = useState(true);
  const total = arms.reduce((s, a) => s + (Number(a.weight) || 0), 0);

  function onModel(next: string) {
    setModelName(next);
    setArms(defaultArms(models.find((m) => m.name === next)));
    setShadow("");
  }

  function update(key: number, patch: Partial<ArmRow>) {
    setArms((rows) => rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  }

  function addArm() {
    setArms((rows) => [...rows, { key: nextKey, name: `arm-${rows.length + 1}`, target: options[0]?.value ?? "", weight: "0" }]);
    setNextKey((k) => k + 1);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (total !== 100) {
      setError(`Arm weights add up to ${total}; they must sum to 100.`);
      return;
    }
    const input: AbTestFormInput = {
      name: name.trim(),
      model: modelName,
      arms: arms.map((a) => ({ name: a.name.trim(), weight: Number(a.weight), ...toTarget(a.target) })),
      shadow: shadow ? toTarget(shadow) : null,
      metric: { kind: metric },
      min_samples: Number(minSamples),
      start,
    };
    startTransition(async () => {
      const res = await create(input);
      if (!res.ok) {
        setError(res.error);
        return;
      }
      router.push(`/ab-tests/${res.data.id}`);
    });
  }

  if (models.length === 0) {
    return <Alert tone="info">Register a model with at least one version before setting up an A/B test.</Alert>;
  }

  return (
    <form onSubmit={submit} className="card max-w-3xl space-y-5 p-6" aria-label="New A/B test">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-name`} label="Test name">
          <input id={`${id}-name`} className="input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="e.g. churn v3 vs v2" />
        </Field>
        <Field id={`${id}-model`} label="Model">
          <select id={`${id}-model`} className="input" value={modelName} onChange={(e) => onModel(e.target.value)}>
            {models.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </Field>
      </div>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Arms</legend>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">The first arm is the baseline. Weights are percents of traffic and must sum to 100.</p>
        <div className="space-y-2">
          {arms.map((a, i) => (
            <div key={a.key} className="grid grid-cols-[1fr_1.4fr_6rem_auto] items-end gap-2">
              <Field id={`${id}-arm-${a.key}-name`} label={i === 0 ? "Arm name (baseline)" : "Arm name"}>
                <input
                  id={`${id}-arm-${a.key}-name`}
                  className="input"
                  value={a.name}
                  onChange={(e) => update(a.key, { name: e.target.value })}
                  required
                  pattern="[A-Za-z0-9_.\-]+"
                  title="Letters, digits, '_', '.' and '-'"
                />
              </Field>
              <Field id={`${id}-arm-${a.key}-target`} label="Serves">
                <select id={`${id}-arm-${a.key}-target`} className="input" value={a.target} onChange={(e) => update(a.key, { target: e.target.value })}>
                  {options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id={`${id}-arm-${a.key}-weight`} label="Weight %">
                <input
                  id={`${id}-arm-${a.key}-weight`}
                  className="input tabular-nums"
                  type="number"
                  min={1}
                  max={100}
                  step={1}
                  value={a.weight}
                  onChange={(e) => update(a.key, { weight: e.target.value })}
                  required
                />
              </Field>
              <button
                type="button"
                className="btn-secondary px-2.5"
                onClick={() => setArms((rows) => rows.filter((r) => r.key !== a.key))}
                disabled={arms.length <= 2}
                aria-label={`Remove arm ${a.name}`}
              >
                ×
              </button>
            </div>
          ))}
        </div>
        <div className="flex items-center justify-between text-sm">
          <button type="button" className="btn-secondary px-2.5 py-1 text-xs" onClick={addArm} disabled={arms.length >= 10}>
            Add arm
          </button>
          <span className={total === 100 ? "text-zinc-500 dark:text-zinc-400" : "font-medium text-red-600 dark:text-red-400"} data-testid="weight-total">
            Total {total}%
          </span>
        </div>
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-3">
        <Field id={`${id}-metric`} label="Metric">
          <select id={`${id}-metric`} className="input" value={metric} onChange={(e) => setMetric(e.target.value as AbTestFormInput["metric"]["kind"])}>
            {METRICS.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-min`} label="Minimum sample per arm">
          <input id={`${id}-min`} className="input tabular-nums" type="number" min={1} step={1} value={minSamples} onChange={(e) => setMinSamples(e.target.value)} required />
        </Field>
        <Field id={`${id}-shadow`} label="Shadow (optional)">
          <select id={`${id}-shadow`} className="input" value={shadow} onChange={(e) => setShadow(e.target.value)}>
            <option value="">No shadow</option>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        A shadow version scores a copy of every request; its predictions are logged and measured, never returned.
      </p>

      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} />
        Start at once (otherwise it is saved as a draft)
      </label>

      {error && <Alert>{error}</Alert>}
      <div className="flex justify-end">
        <button type="submit" className="btn-primary" disabled={pending}>
          {pending ? "Saving…" : start ? "Create and start" : "Create draft"}
        </button>
      </div>
    </form>
  );
}
