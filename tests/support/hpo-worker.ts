// A worker process serving HPO trial jobs of module objectives, for tests that kill a worker mid-trial.
// Run with: node --import tsx tests/support/hpo-worker.ts (env: DATABASE_URL, JOB_LEASE_MS, TEST_WORKER_ID).
// Prints "ready" once the runner polls.
import { config } from "@/lib/config";
import { disconnectDb } from "@/lib/db";
import { HPO_LOCAL_TRIAL_JOB, hpoTrialHandler, moduleObjective } from "@/lib/hpo";
import { WorkerRunner } from "@/lib/jobs";

const runner = new WorkerRunner({
  id: process.env.TEST_WORKER_ID ?? `hpo-worker-${process.pid}`,
  leaseMs: config().JOB_LEASE_MS,
  pollMs: 100,
  handlers: { [HPO_LOCAL_TRIAL_JOB]: hpoTrialHandler({ module: moduleObjective }) },
});
await runner.start();
process.stdout.write("ready\n");
process.on("SIGTERM", async () => {
  await runner.stop(1_000);
  await disconnectDb();
  process.exit(0);
});
