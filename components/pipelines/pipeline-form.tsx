"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { FoldsField, foldsFrom } from "@/components/training/folds-field";
import type { CreatePipelineInput } from "@/lib/pipelines/definition";

/** What the form sends: the REST API's create body (lib/pipelines validates it again on the server). */
export type PipelineFormInput = CreatePipelineInput;

const LOWER_IS_BETTER = new Set(["log_loss", "rmse", "mae"]);

export function PipelineForm({
  datasets,
  families,
  metrics,
  policies,
  create,
}: {
  /** Dataset name → columns of its newest version (with the upload's declared target). */
  datasets: { name: string; columns: string[]; target: string | null }[];
  families: string[];
  metrics: string[];
  policies: string[];
  create: ServerAction<PipelineFormInput, { id: string }>;
}) {
  const id = useId();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [dataset, setDataset] = useState(datasets[0]?.name ?? "");
  const [gateMetric, setGateMetric] = useState("");
  const columns = datasets.find((d) => d.name === dataset);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    let params: unknown;
    try {
      params = JSON.parse(text("params") || "{}");
    } catch {
      params = null;
    }
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      setError('Hyperparameters must be a JSON object, e.g. {"epochs": 50}');
      return;
    }
    const rawVersion = text("version") || "latest";
    const version = rawVersion === "latest" ? "latest" : /^\d+$/.test(rawVersion) ? Number(rawVersion) : rawVersion;
    const threshold = text("threshold");
    const registerAs = text("register");
    const trials = Number(text("search") || "0");
    const input: PipelineFormInput = {
      name: text("name"),
      definition: {
        dataset: { name: dataset, version },
        target: text("target"),
        family: text("family"),
        params: params as Record<string, unknown>,
        ...(trials > 0 ? { search: { trials } } : {}),
        seed: Number(text("seed")),
        split: { test: Number(text("test")), validation: Number(text("validation")), ...foldsFrom(text("folds")) },
        ...(gateMetric && threshold !== ""
          ? { gate: { metric: gateMetric as NonNullable<CreatePipelineInput["definition"]["gate"]>["metric"], ...(LOWER_IS_BETTER.has(gateMetric) ? { max: Number(threshold) } : { min: Number(threshold) }) } }
          : {}),
        ...(registerAs ? { register: { name: registerAs, margin: Number(text("margin") || "0") } } : {}),
        promote: text("promote") as CreatePipelineInput["definition"]["promote"],
      },
      schedule: text("schedule") || null,
      triggers: { onNewDatasetVersion: f.get("onNewDatasetVersion") === "on" },
      enabled: f.get("enabled") === "on",
    };
    if (gateMetric && threshold === "") {
      setError("Give the gate's threshold, or choose no gate.");
      return;
    }
    setError(null);
    startTransition(async () => {
      const res = await create(input);
      if (res.ok) router.push(`/pipelines/${encodeURIComponent(res.data.id)}`);
      else setError(res.error);
    });
  }

  const f = (k: string) => `${id}-${k}`;
  return (
    <form onSubmit={onSubmit} aria-label="New pipeline" className="card space-y-6 p-6">
      <fieldset className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Data and model</legend>
        <Field id={f("name")} label="Pipeline name">
          <input id={f("name")} name="name" required maxLength={128} className="input" placeholder="e.g. churn-nightly" />
        </Field>
        <Field id={f("dataset")} label="Dataset">
          <select id={f("dataset")} value={dataset} onChange={(e) => setDataset(e.target.value)} className="input">
            {datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("version")} label="Version: latest, a number or a SHA-256">
          <input id={f("version")} name="version" defaultValue="latest" className="input font-mono" />
        </Field>
        <Field id={f("target")} label="Target column">
          <select id={f("target")} name="target" key={dataset} defaultValue={columns?.target ?? columns?.columns.at(-1) ?? ""} className="input">
            {(columns?.columns ?? []).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("family")} label="Model family">
          <select id={f("family")} name="family" defaultValue="auto" className="input">
            {families.map((x) => (
              <option key={x} value={x}>
                {x === "auto" ? "auto (best of every family)" : x}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("seed")} label="Seed">
          <input id={f("seed")} name="seed" type="number" min={0} step={1} defaultValue={42} className="input" />
        </Field>
        <Field id={f("test")} label="Test fraction">
          <input id={f("test")} name="test" type="number" min={0.05} max={0.9} step={0.05} defaultValue={0.2} className="input" />
        </Field>
        <Field id={f("validation")} label="Validation fraction">
          <input id={f("validation")} name="validation" type="number" min={0.05} max={0.9} step={0.05} defaultValue={0.2} className="input" />
        </Field>
        <FoldsField id={f("folds")} />
        <Field id={f("search")} label="Hyperparameter search: trials (0 = off)">
          <input id={f("search")} name="search" type="number" min={0} max={500} step={1} defaultValue={0} className="input" />
        </Field>
        <Field id={f("params")} label="Hyperparameters (JSON; a search leaves these fixed)" className="sm:col-span-2 lg:col-span-3">
          <textarea id={f("params")} name="params" rows={3} defaultValue="{}" className="input font-mono text-xs" spellCheck={false} />
        </Field>
      </fieldset>

      <fieldset className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Evaluate, register, promote</legend>
        <Field id={f("gate")} label="Evaluation gate metric">
          <select id={f("gate")} value={gateMetric} onChange={(e) => setGateMetric(e.target.value)} className="input">
            <option value="">no gate</option>
            {metrics.map((m) => (
              <option key={m} value={m}>
                test {m}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("threshold")} label={gateMetric ? `Gate: test ${gateMetric} ${LOWER_IS_BETTER.has(gateMetric) ? "at most" : "at least"}` : "Gate threshold"}>
          <input id={f("threshold")} name="threshold" type="number" step="any" disabled={!gateMetric} className="input" />
        </Field>
        <div />
        <Field id={f("register")} label="Register as model (optional)">
          <input id={f("register")} name="register" maxLength={256} className="input" placeholder="e.g. churn-classifier" />
        </Field>
        <Field id={f("promote")} label="Promotion policy">
          <select id={f("promote")} name="promote" defaultValue="challenger" className="input">
            {policies.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </Field>
        <Field id={f("margin")} label="Margin over the champion">
          <input id={f("margin")} name="margin" type="number" min={0} step="any" defaultValue={0} className="input" />
        </Field>
      </fieldset>

      <fieldset className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">When it runs</legend>
        <Field id={f("schedule")} label="Cron schedule, UTC (optional)">
          <input id={f("schedule")} name="schedule" className="input font-mono" placeholder="0 3 * * *  (03:00 every day)" />
        </Field>
        <label className="flex items-center gap-2 self-end pb-2 text-sm">
          <input type="checkbox" name="onNewDatasetVersion" className="size-4" /> Run on each new version of the dataset
        </label>
        <label className="flex items-center gap-2 self-end pb-2 text-sm">
          <input type="checkbox" name="enabled" defaultChecked className="size-4" /> Enabled
        </label>
      </fieldset>

      {error && <Alert>{error}</Alert>}
      <button type="submit" className="btn-primary" disabled={pending || datasets.length === 0}>
        {pending ? "Creating…" : "Create pipeline"}
      </button>
    </form>
  );
}
