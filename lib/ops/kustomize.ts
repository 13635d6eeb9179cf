// Renders the kustomize subset deploy/k8s uses, without kubectl: resources (files and folders),
// namespace, labels/commonLabels, images and strategic-merge patches. Anything else in a
// kustomization is refused, so a new field cannot be silently ignored. The unit tests compare
// the output with `kubectl kustomize` where kubectl is installed.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

type Json = Record<string, unknown>;

interface LabelsEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
}

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface PatchEntry {
  path?: string;
  patch?: string;
  target?: { kind?: string; name?: string };
}

const SUPPORTED = new Set([
  "apiVersion",
  "kind",
  "resources",
  "namespace",
  "labels",
  "commonLabels",
  "images",
  "patches",
  "patchesStrategicMerge",
]);

// Kinds without a namespace among those a deployment may contain.
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass", "PersistentVolume", "CustomResourceDefinition", "PriorityClass"]);

// Kinds whose spec.template is a pod template (labels with includeTemplates reach it).
const POD_TEMPLATE_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

// kubectl's default ("legacy") output order; other kinds follow, by kind then name.
const KIND_ORDER = [
  "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy",
  "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service",
  "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet",
  "CronJob", "PodDisruptionBudget",
];
const KIND_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

// Merge keys of the strategic-merge lists the manifests patch; other lists are replaced.
const MERGE_KEYS: Record<string, string[]> = {
  containers: ["name"],
  initContainers: ["name"],
  env: ["name"],
  volumes: ["name"],
  volumeMounts: ["mountPath"],
  imagePullSecrets: ["name"],
  ports: ["containerPort", "port"],
};

export class KustomizeError extends Error {}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readYamlDocs(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  const out: unknown[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new KustomizeError(`${file}: ${d.errors[0]?.message}`);
    const v = d.toJS() as unknown;
    if (v != null) out.push(v);
  }
  return out;
}

function asObject(v: unknown, where: string): K8sObject {
  if (!isObject(v) || typeof v.kind !== "string" || typeof v.apiVersion !== "string" || !isObject(v.metadata) || typeof v.metadata.name !== "string") {
    throw new KustomizeError(`${where}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  }
  return v as unknown as K8sObject;
}

function kustomizationFile(dir: string): string {
  for (const name of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
    const f = join(dir, name);
    if (existsSync(f)) return f;
  }
  throw new KustomizeError(`${dir}: no kustomization.yaml`);
}

/** Strategic merge of `patch` into `base` (null deletes a key; listed lists merge by key). */
export function strategicMerge(base: unknown, patch: unknown, field = ""): unknown {
  if (isObject(base) && isObject(patch)) {
    const out: Json = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in out ? strategicMerge(out[k], v, k) : strip(v);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && MERGE_KEYS[field]) {
    const out = [...base];
    for (const item of patch) {
      const key = isObject(item) ? MERGE_KEYS[field].find((k) => k in item) : undefined;
      if (!key || !isObject(item)) {
        out.push(item);
        continue;
      }
      const i = out.findIndex((b) => isObject(b) && b[key] === item[key]);
      if (item.$patch === "delete") {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMerge(out[i], item, field);
      else out.push(strip(item));
    }
    return out;
  }
  return strip(patch);
}

/** Removes null values (deletions with nothing to delete) from a new subtree. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = strip(x);
  return out;
}

function applyImages(node: unknown, images: ImageEntry[]): void {
  if (Array.isArray(node)) {
    for (const n of node) applyImages(n, images);
    return;
  }
  if (!isObject(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === "containers" || k === "initContainers") && Array.isArray(v)) {
      for (const c of v) {
        if (!isObject(c) || typeof c.image !== "string") continue;
        c.image = rewriteImage(c.image, images);
      }
    }
    applyImages(v, images);
  }
}

function rewriteImage(image: string, images: ImageEntry[]): string {
  const at = image.indexOf("@");
  const lastColon = image.lastIndexOf(":");
  const tagged = at < 0 && lastColon > image.lastIndexOf("/");
  const name = at >= 0 ? image.slice(0, at) : tagged ? image.slice(0, lastColon) : image;
  const suffix = at >= 0 ? image.slice(at) : tagged ? image.slice(lastColon) : "";
  const rule = images.find((i) => i.name === name);
  if (!rule) return image;
  const newName = rule.newName ?? name;
  if (rule.digest) return `${newName}@${rule.digest}`;
  if (rule.newTag) return `${newName}:${rule.newTag}`;
  return newName + suffix;
}

function addLabels(obj: K8sObject, entry: LabelsEntry): void {
  if (entry.includeSelectors) {
    throw new KustomizeError("labels with includeSelectors (or commonLabels) are not supported: selectors are written in the base");
  }
  obj.metadata.labels = { ...(obj.metadata.labels ?? {}), ...entry.pairs };
  if (entry.includeTemplates && POD_TEMPLATE_KINDS.has(obj.kind)) {
    const spec = (obj.spec ??= {}) as Json;
    const template = (spec.template ??= {}) as Json;
    const meta = (template.metadata ??= {}) as Json;
    meta.labels = { ...((meta.labels as Record<string, string>) ?? {}), ...entry.pairs };
  }
  if (entry.includeTemplates && obj.kind === "StatefulSet") {
    const claims = ((obj.spec as Json | undefined)?.volumeClaimTemplates as Json[] | undefined) ?? [];
    for (const c of claims) {
      const meta = (c.metadata ??= {}) as Json;
      meta.labels = { ...((meta.labels as Record<string, string>) ?? {}), ...entry.pairs };
    }
  }
}

function loadPatches(dir: string, k: Json): { patch: Json; target: { kind?: string; name?: string } }[] {
  const entries: PatchEntry[] = [
    ...((k.patches as PatchEntry[] | undefined) ?? []),
    ...((k.patchesStrategicMerge as string[] | undefined) ?? []).map((p) => ({ path: p })),
  ];
  return entries.flatMap((e) => {
    const docs = e.path ? readYamlDocs(resolve(dir, e.path)) : e.patch ? parseAllDocuments(e.patch).map((d) => d.toJS() as unknown) : [];
    if (docs.length === 0) throw new KustomizeError(`${dir}: a patch needs a path or an inline patch`);
    return docs.map((doc) => {
      if (!isObject(doc)) throw new KustomizeError(`${dir}: only strategic-merge patches are supported (${e.path ?? "inline patch"})`);
      const meta = isObject(doc.metadata) ? doc.metadata : {};
      const target = {
        kind: e.target?.kind ?? (doc.kind as string | undefined),
        name: e.target?.name ?? (meta.name as string | undefined),
      };
      if (!target.kind || !target.name) throw new KustomizeError(`${dir}: patch ${e.path ?? "inline"} names no kind and metadata.name`);
      return { patch: doc, target };
    });
  });
}

function build(dir: string, seen: Set<string>): K8sObject[] {
  const file = kustomizationFile(dir);
  if (seen.has(file)) throw new KustomizeError(`${file}: cycle in resources`);
  seen.add(file);
  const k = readYamlDocs(file)[0];
  if (!isObject(k)) throw new KustomizeError(`${file}: empty kustomization`);
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length) throw new KustomizeError(`${file}: unsupported field(s) ${unknown.join(", ")}`);

  let objects: K8sObject[] = [];
  for (const r of (k.resources as string[] | undefined) ?? []) {
    const path = resolve(dir, r);
    if (!existsSync(path)) throw new KustomizeError(`${file}: resource ${r} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...build(path, seen));
    else objects.push(...readYamlDocs(path).map((d, i) => asObject(d, `${path} document ${i + 1}`)));
  }

  for (const { patch, target } of loadPatches(dir, k)) {
    const i = objects.findIndex((o) => o.kind === target.kind && o.metadata.name === target.name);
    if (i < 0) throw new KustomizeError(`${file}: patch target ${target.kind}/${target.name} not found`);
    objects[i] = strategicMerge(objects[i], patch) as K8sObject;
  }
  if (typeof k.namespace === "string") {
    const ns = k.namespace;
    objects = objects.map((o) => (CLUSTER_SCOPED.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace: ns } }));
  }
  const labels: LabelsEntry[] = [...((k.labels as LabelsEntry[] | undefined) ?? [])];
  if (isObject(k.commonLabels)) labels.push({ pairs: k.commonLabels as Record<string, string>, includeSelectors: true });
  for (const entry of labels) for (const o of objects) addLabels(o, entry);
  const images = (k.images as ImageEntry[] | undefined) ?? [];
  if (images.length) for (const o of objects) applyImages(o, images);
  return objects;
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  if (i >= 0) return i;
  const j = KIND_LAST.indexOf(kind);
  return j >= 0 ? 1000 + j : 500;
}

// Kinds outside the fixed order sort by group, version, kind (as kustomize's resource ids do).
function gvk(o: K8sObject): string {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
  return `${group}_${version}_${o.kind}`;
}

function id(o: K8sObject): string {
  return `${o.metadata.namespace ?? ""}|${o.metadata.name}`;
}

/** The objects an overlay (or base) folder produces, in kubectl's default order. */
export function renderKustomization(dir: string): K8sObject[] {
  const objects = build(resolve(dir), new Set()).map((o) => structuredClone(o));
  const ids = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    if (ids.has(id)) throw new KustomizeError(`${dir}: ${id} is defined twice`);
    ids.add(id);
  }
  return objects.sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || gvk(a).localeCompare(gvk(b)) || id(a).localeCompare(id(b)));
}

/** Multi-document YAML, as `kubectl kustomize` prints it. */
export function toYaml(objects: K8sObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}

export function overlayDir(root: string, overlay: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(overlay)) throw new KustomizeError(`overlay '${overlay}' is not a folder name`);
  const dir = join(root, "deploy", "k8s", "overlays", overlay);
  if (!existsSync(dir)) throw new KustomizeError(`no overlay '${overlay}' in deploy/k8s/overlays`);
  return dir;
}

export function listOverlays(root: string): string[] {
  const dir = join(root, "deploy", "k8s", "overlays");
  return existsSync(dir) ? readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()).sort() : [];
}
