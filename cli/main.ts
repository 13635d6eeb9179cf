// `mlops` command line. Data output is human-readable by default and JSON with --json.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { createApiKey, createUser, ROLES } from "@/lib/auth";
import { config } from "@/lib/config";
import { disconnectDb, ensureMigrated, migrate } from "@/lib/db";
import { toErrorResponse } from "@/lib/errors";
import { registerTrackingCommands } from "./tracking";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

function role(v: string): (typeof ROLES)[number] {
  if (!(ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${ROLES.join(", ")}`);
  return v as (typeof ROLES)[number];
}

function print(json: boolean, data: unknown, human: string): void {
  console.log(json ? JSON.stringify(data, null, 2) : human);
}

/** Runs a data command, prints a clear message on failure, exits non-zero. */
async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    await disconnectDb();
  } catch (err) {
    const { body, status } = toErrorResponse(err);
    const message = status === 500 && err instanceof Error ? err.message : body.error.message;
    console.error(`error: ${message}`);
    if (body.error.details) console.error(JSON.stringify(body.error.details, null, 2));
    await disconnectDb().catch(() => undefined);
    process.exitCode = 1;
  }
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    console.log("No production build found: building the dashboard (first start only)…");
    const p = spawn(process.execPath, [join(root, "node_modules/next/dist/bin/next"), "build"], {
      cwd: root,
      stdio: "inherit",
    });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed with exit code ${code}`))));
  });
}

const program = new Command()
  .name("mlops")
  .description("Self-hosted MLOps platform: track, train, tune, register, serve, A/B-test and watch models for drift.")
  .showHelpAfterError();

program
  .command("start")
  .description("Apply migrations, build the dashboard if needed, start the web server and one worker")
  .option("--port <port>", "port to listen on (default: PORT or 3000)", positiveInt)
  .option("--dev", "development mode (hot reload, pretty logs)")
  .option("--no-worker", "do not start the embedded worker process")
  .action(async (opts: { port?: number; dev?: boolean; worker: boolean }) => {
    if (opts.dev) process.env.LOG_PRETTY ??= "true";
    if (opts.port) process.env.PORT = String(opts.port);
    await migrate();
    if (!opts.dev && !existsSync(join(root, ".next", "BUILD_ID"))) await build();
    const { startServer } = await import("../server");
    const server = await startServer({ dev: opts.dev, port: opts.port });
    let worker: ChildProcess | null = null;
    if (opts.worker && config().START_WORKER) {
      worker = spawn(process.execPath, [join(root, "bin/mlops.mjs"), "worker"], {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, MLOPS_PROCESS: "worker" },
      });
    }
    console.log(`\n  MLOps dashboard: ${server.url}`);
    console.log(`  Sign in with ADMIN_EMAIL, or the first-admin credentials printed above on first start.`);
    console.log(`  Add users with: npx mlops user create --email you@example.com --password '…' --role editor\n`);
    let closing = false;
    const shutdown = async () => {
      if (closing) return;
      closing = true;
      const workerDone = worker && worker.exitCode === null ? new Promise((r) => worker!.once("exit", r)) : null;
      worker?.kill("SIGTERM");
      await server.close();
      await workerDone;
      process.exit(0);
    };
    process.on("SIGTERM", () => void shutdown());
    process.on("SIGINT", () => void shutdown());
  });

program
  .command("worker")
  .description("Start a worker process that executes queued jobs (training, tuning, scoring, drift)")
  .option("--concurrency <n>", "jobs run at once (default: WORKER_CONCURRENCY or 1)", positiveInt)
  .action(async (opts: { concurrency?: number }) => {
    const { runWorker } = await import("../workers/worker");
    await runWorker({ concurrency: opts.concurrency });
  });

program
  .command("migrate")
  .description("Apply the committed database migrations (also done by start)")
  .option("--json", "print JSON")
  .action((opts: { json?: boolean }) =>
    run(async () => {
      await migrate();
      const kind = /^postgres/.test(config().DATABASE_URL) ? "postgres" : "sqlite";
      print(!!opts.json, { migrated: true, database: kind }, `Database (${kind}) is up to date.`);
    }),
  );

const user = program.command("user").description("Manage users");
user
  .command("create")
  .description("Create a user who signs in with email and password")
  .requiredOption("--email <email>", "email address (the sign-in name)")
  .requiredOption("--password <password>", "password, at least 8 characters")
  .option("--role <role>", `one of ${ROLES.join(", ")}`, role, "viewer")
  .option("--name <name>", "display name")
  .option("--json", "print JSON")
  .action((opts: { email: string; password: string; role: (typeof ROLES)[number]; name?: string; json?: boolean }) =>
    run(async () => {
      await ensureMigrated();
      const u = await createUser({ email: opts.email, password: opts.password, role: opts.role, name: opts.name }, null);
      print(!!opts.json, u, `Created ${u.role} ${u.email} (id ${u.id}).`);
    }),
  );

const apikey = program.command("apikey").description("Manage API keys");
apikey
  .command("create")
  .description("Create an API key; it is printed once and stored hashed")
  .requiredOption("--name <name>", "what the key is for")
  .option("--role <role>", `one of ${ROLES.join(", ")}`, role, "viewer")
  .option("--json", 'print {"key": "…", "id": "…"}')
  .action((opts: { name: string; role: (typeof ROLES)[number]; json?: boolean }) =>
    run(async () => {
      await ensureMigrated();
      const { key, info } = await createApiKey({ name: opts.name, role: opts.role }, null);
      if (opts.json) console.log(JSON.stringify({ key, id: info.id, name: info.name, role: info.role }));
      else console.log(`API key '${info.name}' (${info.role}), shown once:\n\n  ${key}\n\nUse it as: Authorization: Bearer ${key}`);
    }),
  );

(await import("./hpo")).registerHpoCommands(program);
registerTrackingCommands(program);
(await import("./drift")).registerDriftCommand(program);
(await import("./train")).registerTrainCommand(program);
(await import("./pipelines")).registerPipelinesCommands(program);
(await import("./backup")).registerBackupCommands(program);
(await import("./demo")).registerDemoCommand(program);

await program.parseAsync(process.argv);
