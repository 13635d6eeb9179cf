// npm run health [-- --url http://localhost:3000] — checks a running instance; exit 1 when unhealthy.
import { Command, InvalidArgumentError } from "commander";
import { checkHealth, formatHealth, normalizeUrl } from "../lib/ops";

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number of at least 0");
  return n;
}

const program = new Command()
  .name("npm run health --")
  .description("Check a running instance: alive, ready (database and migrations), queue depth, worker heartbeats")
  .option("--url <url>", "base URL of the instance", `http://localhost:${process.env.PORT || 3000}`)
  .option("--min-workers <n>", "fewest live workers accepted (0: do not check workers)", count, 1)
  .option("--max-queued <n>", "most due jobs waiting accepted (default: no limit)", count)
  .option("--max-wait <seconds>", "longest wait of the oldest due job accepted (default: no limit)", count)
  .option("--timeout <ms>", "time allowed per request", count, 5000)
  .option("--json", "print the report as JSON")
  .showHelpAfterError()
  .action(
    async (opts: { url: string; minWorkers: number; maxQueued?: number; maxWait?: number; timeout: number; json?: boolean }) => {
      try {
        normalizeUrl(opts.url);
      } catch (err) {
        console.error(`error: ${(err as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const report = await checkHealth({
        url: opts.url,
        minWorkers: opts.minWorkers,
        maxQueued: opts.maxQueued,
        maxWaitSeconds: opts.maxWait,
        timeoutMs: opts.timeout,
      });
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else (report.healthy ? console.log : console.error)(formatHealth(report));
      process.exitCode = report.healthy ? 0 : 1;
    },
  );

await program.parseAsync(process.argv);
