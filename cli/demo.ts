// `mlops demo`: builds the demo story on a running instance through its REST API (lib/demo).
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { disconnectDb, ensureMigrated } from "@/lib/db";
import { runDemo, SUFFIX_PATTERN, withTemporaryKey, type DemoProgress, type DemoResult } from "@/lib/demo";

/** A one-line progress bar on a terminal; one line per chapter change elsewhere (logs, CI). */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { update(p: DemoProgress): void; done(): void } {
  const tty = !!stream.isTTY;
  let lastStep = "";
  let lastDraw = 0;
  return {
    update(p) {
      const pct = Math.round(p.fraction * 100);
      if (!tty) {
        if (p.step !== lastStep) stream.write(`[${String(pct).padStart(3)}%] ${p.step}: ${p.message}\n`);
        lastStep = p.step;
        return;
      }
      const now = Date.now();
      if (now - lastDraw < 80 && p.fraction < 1) return;
      lastDraw = now;
      const width = 28;
      const filled = Math.round(p.fraction * width);
      const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
      const text = `${bar} ${String(pct).padStart(3)}%  ${p.step}: ${p.message}`;
      const cols = stream.columns || 100;
      stream.write(`\r\x1b[2K${text.length > cols - 1 ? `${text.slice(0, cols - 2)}…` : text}`);
    },
    done() {
      if (tty) stream.write("\n");
    },
  };
}

function suffixArg(v: string): string {
  if (!SUFFIX_PATTERN.test(v)) throw new InvalidArgumentError("1–31 lowercase letters, digits or '-', starting with a letter or digit");
  return v;
}

function summary(r: DemoResult, baseUrl: string): string {
  const lines: string[] = [];
  if (r.alreadyLoaded) lines.push("Demo data is already loaded; nothing was changed.");
  else {
    lines.push(`Demo story built in ${(r.durationMs / 1000).toFixed(0)} s: ${r.runs} runs in experiment '${r.names.experiment}', model '${r.names.model}'.`);
    if (r.abTest) lines.push(`A/B test: ${r.abTest.predictions} predictions, ${r.abTest.feedback} outcomes, winner: ${r.abTest.winner ?? "none"}.`);
    if (r.drift) {
      const retrain = r.drift.retrainVersion ? `; retrained as version ${r.drift.retrainVersion}` : "";
      lines.push(`Drift: ${Math.round(r.drift.shareDrifted * 100)}% of the features drifted${r.drift.datasetDrift ? " (alert raised)" : ""}${retrain}.`);
    }
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push("", "Open:");
  for (const [what, path] of Object.entries(r.links)) lines.push(`  ${what.padEnd(12)} ${baseUrl.replace(/\/+$/, "")}${path}`);
  return lines.join("\n");
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("Build the demo story on a running instance: datasets, runs, a study, champion and challenger, an A/B test, a drift episode")
    .option("--url <url>", "the instance (default: MLOPS_URL, else http://localhost:PORT)")
    .option("--api-key <key>", "an editor or admin API key (default: MLOPS_API_KEY; else a temporary key in the configured database)")
    .option("--suffix <s>", "append -<s> to every name, to build another copy next to the first", suffixArg)
    .option("--datasets <dir>", "folder of the shared public data sets (default: ../shared/datasets)")
    .option("--json", "print the result as JSON")
    .action(async (opts: { url?: string; apiKey?: string; suffix?: string; datasets?: string; json?: boolean }) => {
      const baseUrl = opts.url ?? process.env.MLOPS_URL ?? `http://localhost:${process.env.PORT || 3000}`;
      const bar = progressPrinter();
      const go = (apiKey: string) =>
        runDemo({ baseUrl, apiKey, suffix: opts.suffix, datasetsDir: opts.datasets, onProgress: (p) => bar.update(p) });
      try {
        const key = opts.apiKey ?? process.env.MLOPS_API_KEY;
        let result: DemoResult;
        if (key) result = await go(key);
        else {
          // Same machine, same database as the instance: a key that lives only while the demo runs.
          await ensureMigrated();
          result = await withTemporaryKey(go);
        }
        bar.done();
        console.log(opts.json ? JSON.stringify(result, null, 2) : summary(result, baseUrl));
      } catch (err) {
        bar.done();
        console.error(`error: ${(err as Error).message}`);
        process.exitCode = 1;
      } finally {
        await disconnectDb().catch(() => undefined);
      }
    });
}
