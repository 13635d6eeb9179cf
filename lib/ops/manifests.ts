// Questions about rendered manifests, shared by `npm run deploy` and the deployment tests.
import type { K8sObject } from "./kustomize";

type Json = Record<string, unknown>;

export interface ContainerRef {
  owner: K8sObject;
  /** "containers" or "initContainers". */
  list: string;
  container: Json;
  podSpec: Json;
}

/** The pod spec of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). */
export function podSpecOf(o: K8sObject): Json | null {
  const spec = o.spec as Json | undefined;
  if (!spec) return null;
  if (o.kind === "Pod") return spec;
  if (o.kind === "CronJob") {
    const job = (spec.jobTemplate as Json | undefined)?.spec as Json | undefined;
    return ((job?.template as Json | undefined)?.spec as Json | undefined) ?? null;
  }
  return ((spec.template as Json | undefined)?.spec as Json | undefined) ?? null;
}

export function containersOf(objects: K8sObject[]): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const owner of objects) {
    const podSpec = podSpecOf(owner);
    if (!podSpec) continue;
    for (const list of ["initContainers", "containers"]) {
      for (const container of (podSpec[list] as Json[] | undefined) ?? []) out.push({ owner, list, container, podSpec });
    }
  }
  return out;
}

function find(objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
}

/** Keys of a ConfigMap's data or a Secret's data/stringData, with values (Secret data base64-decoded). */
function keyValues(o: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((o.data as Record<string, string> | undefined) ?? {})) {
    out[k] = o.kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : String(v);
  }
  for (const [k, v] of Object.entries((o.stringData as Record<string, string> | undefined) ?? {})) out[k] = String(v);
  return out;
}

/**
 * The environment a container gets: envFrom ConfigMaps and Secrets, then env entries (later wins,
 * as in Kubernetes). Values from valueFrom references resolve when the referenced object is
 * among `objects`, else they are "<from KIND/NAME>". Throws when an envFrom source is missing.
 */
export function containerEnv(ref: ContainerRef, objects: K8sObject[]): Record<string, string> {
  const ns = ref.owner.metadata.namespace;
  const env: Record<string, string> = {};
  for (const from of (ref.container.envFrom as Json[] | undefined) ?? []) {
    const cm = from.configMapRef as { name: string; optional?: boolean } | undefined;
    const sec = from.secretRef as { name: string; optional?: boolean } | undefined;
    const src = cm ? find(objects, "ConfigMap", cm.name, ns) : sec ? find(objects, "Secret", sec.name, ns) : undefined;
    const ref2 = cm ?? sec;
    if (!src) {
      if (ref2?.optional) continue;
      throw new Error(`${ref.owner.kind}/${ref.owner.metadata.name}: envFrom ${cm ? "ConfigMap" : "Secret"} ${ref2?.name} is not in the manifests`);
    }
    const prefix = (from.prefix as string | undefined) ?? "";
    for (const [k, v] of Object.entries(keyValues(src))) env[prefix + k] = v;
  }
  for (const e of (ref.container.env as Json[] | undefined) ?? []) {
    const name = e.name as string;
    if (typeof e.value === "string") {
      env[name] = e.value;
      continue;
    }
    const vf = (e.valueFrom ?? {}) as Json;
    const key = (vf.configMapKeyRef ?? vf.secretKeyRef) as { name: string; key: string } | undefined;
    const kind = vf.configMapKeyRef ? "ConfigMap" : "Secret";
    const src = key ? find(objects, kind, key.name, ns) : undefined;
    env[name] = src && key ? (keyValues(src)[key.key] ?? `<missing ${key.key} in ${kind}/${key.name}>`) : `<from ${kind}/${key?.name ?? "field"}>`;
  }
  return env;
}

/** Secret values still holding the CHANGE-ME placeholders of the committed overlays. */
export function placeholderSecrets(objects: K8sObject[]): string[] {
  return objects
    .filter((o) => o.kind === "Secret")
    .flatMap((o) =>
      Object.entries(keyValues(o))
        .filter(([, v]) => v.includes("CHANGE-ME"))
        .map(([k]) => `Secret ${o.metadata.name}: ${k}`),
    );
}

/** The namespace the workloads land in (the overlay's namespace). */
export function namespaceOf(objects: K8sObject[]): string {
  const ns = objects.find((o) => o.kind === "Deployment")?.metadata.namespace;
  if (!ns) throw new Error("the manifests put the Deployments in no namespace");
  return ns;
}
