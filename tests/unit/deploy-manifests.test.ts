// The Kubernetes manifests of deploy/k8s, rendered per overlay and checked offline: schemas,
// probes, security, resources, wiring between objects, and the environment the app reads.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { configSchema } from "@/lib/config";
import { KustomizeError, listOverlays, renderKustomization, strategicMerge, type K8sObject } from "@/lib/ops/kustomize";
import { containerEnv, containersOf, placeholderSecrets, podSpecOf } from "@/lib/ops/manifests";
import { readVariables, REQUIRED_IN_PRODUCTION, root } from "./deploy-env";

type Json = Record<string, unknown>;

const overlays = listOverlays(root);
const rendered = new Map(overlays.map((o) => [o, renderKustomization(join(root, "deploy/k8s/overlays", o))]));
const kubectl = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].find((p) => existsSync(p));

function get(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} missing`);
  return o;
}

const isAppImage = (image: unknown) => typeof image === "string" && /(^|\/)mlops(:|@|$)/.test(image);

type Models = Record<string, new (data: unknown) => { validate(): void }>;
// One loader per API group the manifests use (static imports: the bundler resolves each subpath).
const MODELS: Record<string, () => Promise<unknown>> = {
  v1: () => import("kubernetes-models/v1"),
  "apps/v1": () => import("kubernetes-models/apps/v1"),
  "batch/v1": () => import("kubernetes-models/batch/v1"),
  "policy/v1": () => import("kubernetes-models/policy/v1"),
  "autoscaling/v2": () => import("kubernetes-models/autoscaling/v2"),
  "networking.k8s.io/v1": () => import("kubernetes-models/networking.k8s.io/v1"),
};

async function validate(o: K8sObject): Promise<void> {
  const load = MODELS[o.apiVersion];
  if (!load) throw new Error(`no schema loader for apiVersion ${o.apiVersion}: add it to MODELS`);
  const Model = ((await load()) as Models)[o.kind];
  if (!Model) throw new Error(`kubernetes-models has no ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

it("has a dev and a prod overlay", () => {
  expect(overlays).toEqual(expect.arrayContaining(["dev", "prod"]));
});

it("rejects a manifest that breaks the Kubernetes schema (the validation can fail)", async () => {
  const web = structuredClone(get(rendered.get("prod")!, "Deployment", "mlops-web"));
  (web.spec as Json).replicas = "three";
  await expect(validate(web)).rejects.toThrow();
});

it("strategic merge: merges containers by name, deletes with null, replaces other lists", () => {
  const base = { spec: { a: 1, b: 2, containers: [{ name: "x", image: "i", env: [{ name: "A", value: "1" }] }], tls: [{ h: 1 }] } };
  const patch = { spec: { b: null, containers: [{ name: "x", env: [{ name: "B", value: "2" }] }, { name: "y" }], tls: [{ h: 2 }] } };
  expect(strategicMerge(base, patch)).toEqual({
    spec: {
      a: 1,
      containers: [{ name: "x", image: "i", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }, { name: "y" }],
      tls: [{ h: 2 }],
    },
  });
});

it("refuses kustomization fields it does not render, and a patch without a target", () => {
  const dir = mkdtempSync(join(tmpdir(), "kustomize-"));
  try {
    writeFileSync(join(dir, "kustomization.yaml"), "resources: []\nreplicas:\n  - name: x\n    count: 2\n");
    expect(() => renderKustomization(dir)).toThrow(/unsupported field\(s\) replicas/);
    writeFileSync(join(dir, "kustomization.yaml"), "resources: []\npatches:\n  - patch: |\n      kind: Deployment\n      metadata:\n        name: nope\n");
    expect(() => renderKustomization(dir)).toThrow(KustomizeError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.each(overlays)("overlay %s", (overlay) => {
  const objects = rendered.get(overlay)!;
  const ns = overlay === "prod" ? "mlops" : `mlops-${overlay}`;

  it.runIf(kubectl)("renders exactly what `kubectl kustomize` renders", () => {
    const out = execFileSync(kubectl!, ["kustomize", join(root, "deploy/k8s/overlays", overlay)], { encoding: "utf8" });
    const theirs = parseAllDocuments(out).map((d) => d.toJS() as unknown);
    expect(objects).toEqual(theirs);
  });

  it("validates every object against the Kubernetes schemas", async () => {
    for (const o of objects) await validate(o);
  });

  it("has every part of the deployment, in the overlay's namespace", () => {
    for (const [kind, name] of [
      ["Namespace", ns],
      ["ConfigMap", "mlops-config"],
      ["Secret", "mlops-secrets"],
      ["Deployment", "mlops-web"],
      ["Deployment", "mlops-worker"],
      ["Job", "mlops-migrate"],
      ["Service", "mlops-web"],
      ["Ingress", "mlops-web"],
      ["HorizontalPodAutoscaler", "mlops-web"],
      ["PodDisruptionBudget", "mlops-web"],
    ] as const) {
      get(objects, kind, name);
    }
    for (const o of objects) if (o.kind !== "Namespace") expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(ns);
  });

  it("runs the web server, the worker and the migration from the same image", () => {
    const images = new Set<string>();
    const args = (kind: string, name: string) => {
      const c = (podSpecOf(get(objects, kind, name))!.containers as Json[])[0]!;
      images.add(c.image as string);
      return c.args;
    };
    expect(args("Deployment", "mlops-web")).toEqual(["start", "--no-worker"]);
    expect(args("Deployment", "mlops-worker")).toEqual(["worker"]);
    expect(args("Job", "mlops-migrate")).toEqual(["migrate"]);
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/:[\w.-]+$/);
  });

  it("probes the web server on /api/health/ready and /api/health and rolls it out without downtime", () => {
    const web = get(objects, "Deployment", "mlops-web");
    const spec = web.spec as Json;
    expect(spec.strategy).toMatchObject({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } });
    const c = (podSpecOf(web)!.containers as Json[])[0]!;
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: "/api/health/ready", port: "http" } });
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: "/api/health", port: "http" } });
    expect(c.ports).toEqual([{ name: "http", containerPort: 3000 }]);
  });

  it("gives every long-running container a liveness probe (the worker's checks its heartbeat)", () => {
    for (const ref of containersOf(objects)) {
      if (ref.owner.kind === "Job") continue;
      expect(ref.container.livenessProbe, `${ref.owner.kind}/${ref.owner.metadata.name} ${ref.container.name}`).toBeTruthy();
    }
    const worker = (podSpecOf(get(objects, "Deployment", "mlops-worker"))!.containers as Json[])[0]!;
    expect(worker.livenessProbe).toMatchObject({ exec: { command: ["node", "scripts/worker-probe.mjs"] } });
    expect(existsSync(join(root, "scripts/worker-probe.mjs"))).toBe(true);
  });

  it("sets requests and limits, non-root and a read-only root filesystem on every container", () => {
    const refs = containersOf(objects);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      const where = `${ref.owner.kind}/${ref.owner.metadata.name} ${ref.container.name}`;
      const r = ref.container.resources as { requests?: Json; limits?: Json } | undefined;
      for (const k of ["cpu", "memory"]) {
        expect(r?.requests?.[k], `${where} requests.${k}`).toBeTruthy();
        expect(r?.limits?.[k], `${where} limits.${k}`).toBeTruthy();
      }
      const pod = ref.podSpec.securityContext as Json | undefined;
      const sc = ref.container.securityContext as Json | undefined;
      expect(sc?.runAsNonRoot ?? pod?.runAsNonRoot, where).toBe(true);
      expect(Number(sc?.runAsUser ?? pod?.runAsUser), where).toBeGreaterThan(0);
      expect(sc, where).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
      // Every mount has a volume, and /tmp is writable.
      const volumes = new Set([
        ...((ref.podSpec.volumes as Json[] | undefined) ?? []).map((v) => v.name),
        ...(((ref.owner.spec as Json).volumeClaimTemplates as { metadata: { name: string } }[] | undefined) ?? []).map((v) => v.metadata.name),
      ]);
      const mounts = (ref.container.volumeMounts as { name: string; mountPath: string }[] | undefined) ?? [];
      for (const m of mounts) expect(volumes.has(m.name), `${where} mount ${m.name}`).toBe(true);
      expect(mounts.map((m) => m.mountPath), where).toContain("/tmp");
    }
    const web = (podSpecOf(get(objects, "Deployment", "mlops-web"))!.containers as Json[])[0]!;
    expect((web.volumeMounts as { mountPath: string }[]).map((m) => m.mountPath)).toContain("/app/.next/cache");
  });

  it("wires Service, Ingress, autoscalers and disruption budgets to the right pods", () => {
    const labelsOf = (name: string) => ((get(objects, "Deployment", name).spec as Json).template as { metadata: { labels: Json } }).metadata.labels;
    const matches = (selector: Json, labels: Json) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    const webLabels = labelsOf("mlops-web");
    const svc = get(objects, "Service", "mlops-web").spec as { selector: Json; ports: { name: string }[] };
    expect(matches(svc.selector, webLabels)).toBe(true);
    expect(matches(svc.selector, labelsOf("mlops-worker"))).toBe(false);
    const backend = ((get(objects, "Ingress", "mlops-web").spec as { rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[] })
      .rules[0]!.http.paths[0]!.backend.service);
    expect(backend.name).toBe("mlops-web");
    expect(svc.ports.map((p) => p.name)).toContain(backend.port.name);
    for (const o of objects.filter((x) => x.kind === "HorizontalPodAutoscaler")) {
      const target = (o.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
      get(objects, target.kind, target.name);
    }
    for (const o of objects.filter((x) => x.kind === "PodDisruptionBudget")) {
      const sel = (o.spec as { selector: { matchLabels: Json } }).selector.matchLabels;
      expect(["mlops-web", "mlops-worker"].some((d) => matches(sel, labelsOf(d))), o.metadata.name).toBe(true);
    }
  });

  it("sets only variables the app reads, every one it needs, with values its config accepts", () => {
    const known = readVariables();
    const refs = containersOf(objects).filter((r) => isAppImage(r.container.image));
    expect(refs.length).toBe(3);
    for (const ref of refs) {
      const where = `${ref.owner.kind}/${ref.owner.metadata.name}`;
      const env = containerEnv(ref, objects);
      const unknown = Object.keys(env).filter((k) => !known.has(k));
      expect(unknown, `${where} sets variables nothing reads`).toEqual([]);
      for (const k of REQUIRED_IN_PRODUCTION) expect(env[k], `${where} ${k}`).toBeTruthy();
      expect(env.DATABASE_URL, where).toMatch(/^postgres(ql)?:\/\//);
      expect(env.ARTIFACT_STORE, where).toBe("db:");
      const parsed = configSchema.safeParse(env);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`), where).toEqual([]);
    }
  });
});

describe("prod overlay", () => {
  const objects = rendered.get("prod")!;

  it("scales out: several web replicas and workers, a budget that keeps two web pods, TLS", () => {
    expect((get(objects, "Deployment", "mlops-web").spec as Json).replicas).toBeGreaterThanOrEqual(2);
    expect((get(objects, "Deployment", "mlops-worker").spec as Json).replicas).toBeGreaterThanOrEqual(2);
    expect((get(objects, "HorizontalPodAutoscaler", "mlops-web").spec as Json).minReplicas).toBeGreaterThanOrEqual(2);
    expect(get(objects, "PodDisruptionBudget", "mlops-web").spec).toEqual(expect.objectContaining({ minAvailable: 2 }));
    expect((get(objects, "PodDisruptionBudget", "mlops-web").spec as Json).maxUnavailable).toBeUndefined();
    expect((get(objects, "Ingress", "mlops-web").spec as Json).tls).toBeTruthy();
    expect(get(objects, "ConfigMap", "mlops-config").data).toMatchObject({ ARTIFACT_STORE: "db:" });
  });

  it("keeps placeholder secrets, which the deploy command refuses to apply; dev has none", () => {
    expect(placeholderSecrets(objects)).toEqual(expect.arrayContaining(["Secret mlops-secrets: DATABASE_URL", "Secret mlops-secrets: NEXTAUTH_SECRET"]));
    expect(placeholderSecrets(rendered.get("dev")!)).toEqual([]);
  });
});

describe("npm run deploy", () => {
  const tsx = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    spawnSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/deploy.ts", ...args], { cwd: root, encoding: "utf8", env });

  it("--dry-run prints the rendered manifests of the overlay", () => {
    const r = tsx(["--dry-run", "--overlay", "prod"]);
    expect(r.status, r.stderr).toBe(0);
    expect(parseAllDocuments(r.stdout).map((d) => d.toJS() as unknown)).toEqual(rendered.get("prod"));
    expect(r.stderr).toContain("placeholder secret values");
  });

  it("names the problem for an unknown overlay, and refuses placeholder secrets before calling kubectl", () => {
    const bad = tsx(["--dry-run", "--overlay", "staging"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("no overlay 'staging'");
    const prod = tsx(["--overlay", "prod"], { ...process.env, PATH: "/nonexistent" });
    expect(prod.status).toBe(1);
    expect(prod.stderr).toContain("placeholder secret values");
    expect(prod.stderr).not.toContain("$ kubectl");
  });
});
