// npm run deploy -- [--overlay dev|prod] [--dry-run]
//   --dry-run   print the rendered manifests of the overlay (no kubectl needed)
//   otherwise   apply the overlay with kubectl: the migration Job first (waiting for it to
//               complete), then everything else, then wait for the rollouts.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { listOverlays, overlayDir, renderKustomization, toYaml } from "../lib/ops/kustomize";
import { namespaceOf, placeholderSecrets } from "../lib/ops/manifests";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MIGRATE_JOB = "mlops-migrate";

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

function kubectl(args: string[], opts: { capture?: boolean } = {}): string {
  console.error(`$ kubectl ${args.join(" ")}`);
  const r = spawnSync("kubectl", args, { stdio: opts.capture ? ["ignore", "pipe", "inherit"] : "inherit", encoding: "utf8" });
  if (r.error) fail(`kubectl could not run (${r.error.message}); install kubectl or use --dry-run`);
  if (r.status !== 0) fail(`kubectl ${args[0]} failed with exit code ${r.status}`);
  return r.stdout ?? "";
}

async function waitForJob(ctx: string[], ns: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = kubectl([...ctx, "-n", ns, "get", "job", MIGRATE_JOB, "-o", "jsonpath={.status.conditions}"], { capture: true });
    const conditions = (out ? JSON.parse(out) : []) as { type: string; status: string; message?: string }[];
    if (conditions.some((c) => c.type === "Complete" && c.status === "True")) return;
    const failed = conditions.find((c) => c.type === "Failed" && c.status === "True");
    if (failed) {
      spawnSync("kubectl", [...ctx, "-n", ns, "logs", `job/${MIGRATE_JOB}`, "--tail=50"], { stdio: "inherit" });
      fail(`the migration Job failed (${failed.message ?? "see the logs above"}); the Deployments were not changed`);
    }
    if (Date.now() > deadline) fail(`the migration Job did not complete within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

const program = new Command()
  .name("npm run deploy --")
  .description("Render or apply the Kubernetes manifests of an overlay (deploy/k8s/overlays/<name>)")
  .option("--overlay <name>", `overlay to use (${listOverlays(root).join(", ")})`, "dev")
  .option("--dry-run", "print the rendered manifests instead of applying them")
  .option("--context <name>", "kubectl context to apply to (default: the current one)")
  .option("--timeout <seconds>", "how long to wait for the migration and each rollout", "600")
  .showHelpAfterError()
  .action(async (opts: { overlay: string; dryRun?: boolean; context?: string; timeout: string }) => {
    let dir: string;
    let objects;
    try {
      dir = overlayDir(root, opts.overlay);
      objects = renderKustomization(dir);
    } catch (err) {
      fail((err as Error).message);
    }
    const placeholders = placeholderSecrets(objects);
    if (opts.dryRun) {
      process.stdout.write(toYaml(objects));
      if (placeholders.length) console.error(`note: placeholder secret values to replace before applying: ${placeholders.join(", ")}`);
      return;
    }
    if (placeholders.length) {
      fail(`the '${opts.overlay}' overlay still has placeholder secret values (${placeholders.join(", ")}); set real values in ${join("deploy/k8s/overlays", opts.overlay, "patches/secret.yaml")} or manage the Secret outside Git`);
    }
    const seconds = Number(opts.timeout);
    if (!Number.isInteger(seconds) || seconds < 1) fail("--timeout expects a whole number of seconds");
    const ctx = opts.context ? ["--context", opts.context] : [];
    const ns = namespaceOf(objects);
    // 1. A Job's pod template is immutable: the previous release's Job goes first.
    kubectl([...ctx, "-n", ns, "delete", "job", MIGRATE_JOB, "--ignore-not-found", "--wait=true"]);
    // 2. Everything but the web and worker Deployments (namespace, config, secrets, the Job, …).
    kubectl([...ctx, "apply", "-k", dir, "-l", "app.kubernetes.io/component notin (web,worker)"]);
    // 3. Migrations applied before any new web pod starts.
    await waitForJob(ctx, ns, seconds * 1000);
    // 4. The rest, then the rollouts (new web pods serve only once ready).
    kubectl([...ctx, "apply", "-k", dir]);
    for (const d of ["mlops-web", "mlops-worker"]) {
      kubectl([...ctx, "-n", ns, "rollout", "status", `deployment/${d}`, `--timeout=${seconds}s`]);
    }
    console.error(`deployed overlay '${opts.overlay}' to namespace ${ns}`);
  });

await program.parseAsync(process.argv);
