// npm run screenshots [-- --url http://localhost:3000 --out docs/screenshots]
// Signs in to a running instance that has the demo story (npx mlops demo) and saves a screenshot of
// each main page with Chromium, for the README's tour.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Page } from "@playwright/test";
import { Command } from "commander";
import { locateStory, type StoryPages } from "../lib/demo/locate";

/** File name → the page of the story it shows; `from`: an element id to start the picture at (long pages). */
const SHOTS: { file: string; page: keyof StoryPages; from?: string }[] = [
  { file: "01-overview.png", page: "overview" },
  { file: "02-dataset.png", page: "dataset" },
  { file: "02-dataset-profile.png", page: "dataset", from: "validation" },
  { file: "03-experiment.png", page: "experiment" },
  { file: "04-compare.png", page: "compare" },
  { file: "05-run.png", page: "run" },
  { file: "06-study.png", page: "study" },
  { file: "07-model.png", page: "model" },
  { file: "08-ab-test.png", page: "abTest" },
  { file: "09-drift.png", page: "driftModel" },
  { file: "10-drift-report.png", page: "driftReport" },
  { file: "11-pipeline.png", page: "pipeline" },
  { file: "12-jobs.png", page: "jobs" },
];

const MAX_HEIGHT = 1800;

async function shoot(page: Page, url: string, path: string, from?: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(url, { waitUntil: "load" });
  // Hydration, client-side fetches and chart animations settle; then fonts, to be sure.
  await page.waitForTimeout(4000);
  await page.evaluate(() => document.fonts.ready);
  // A development server's issue badge is not part of the product.
  await page.addStyleTag({ content: "nextjs-portal { display: none !important; }" });
  // A window as tall as the page (up to a limit), so the full-height sidebar reaches the bottom.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const top = from ? await page.evaluate((id) => Math.max(0, (document.getElementById(id)?.getBoundingClientRect().top ?? 0) + window.scrollY - 24), from) : 0;
  await page.setViewportSize({ width: 1280, height: Math.min(height, top + MAX_HEIGHT) });
  await page.waitForTimeout(500);
  await page.screenshot({ path, clip: { x: 0, y: top, width: 1280, height: Math.min(height - top, MAX_HEIGHT) } });
}

const program = new Command()
  .name("npm run screenshots --")
  .description("Screenshots of the main pages of a running instance with the demo data, for the README")
  .option("--url <url>", "the instance", process.env.MLOPS_URL ?? `http://localhost:${process.env.PORT || 3000}`)
  .option("--email <email>", "an account to sign in with (default: ADMIN_EMAIL)", process.env.ADMIN_EMAIL)
  .option("--password <password>", "its password (default: ADMIN_PASSWORD)", process.env.ADMIN_PASSWORD)
  .option("--suffix <s>", "the suffix the demo was built with, if any")
  .option("--out <dir>", "where the PNG files go", "docs/screenshots")
  .action(async (opts: { url: string; email?: string; password?: string; suffix?: string; out: string }) => {
    if (!opts.email || !opts.password) {
      console.error("error: give --email and --password (or ADMIN_EMAIL and ADMIN_PASSWORD) of an account on the instance");
      process.exitCode = 2;
      return;
    }
    const base = opts.url.replace(/\/+$/, "");
    mkdirSync(opts.out, { recursive: true });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu"],
    });
    try {
      const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 }, colorScheme: "light" });
      // A development server compiles each page on its first visit: give it time. Its hot-reload
      // socket is passed through without the update messages, so edits elsewhere in the working tree
      // do not reload the page being photographed (the client still needs the socket to hydrate).
      context.setDefaultTimeout(180_000);
      await context.routeWebSocket(/\/_next\/(webpack-)?hmr/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((m) => {
          if (typeof m === "string" && /"(turbopack-message|reloadPage|serverComponentChanges|serverOnlyChanges|building|built)"/.test(m)) return;
          ws.send(m);
        });
      });
      const page = await context.newPage();
      // Sign in through NextAuth's credentials endpoint: the session cookie lands in the context.
      const { csrfToken } = (await (await context.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
      const signin = await context.request.post("/api/auth/callback/credentials", {
        form: { email: opts.email, password: opts.password, csrfToken, json: "true" },
      });
      const session = (await (await context.request.get("/api/auth/session")).json()) as { user?: unknown };
      if (!signin.ok() || !session.user) throw new Error(`Could not sign in to ${base} as ${opts.email} (status ${signin.status()})`);
      const pages = await locateStory(async (method, path, body) => {
        const res = await context.request.fetch(path, { method, data: body });
        if (!res.ok()) throw new Error(`${method} ${path} answered ${res.status()}: ${(await res.text()).slice(0, 300)}`);
        return res.json();
      }, opts.suffix);
      for (const s of SHOTS) {
        const url = pages[s.page];
        if (!url) {
          console.warn(`skipped ${s.file}: the demo has no ${s.page} page`);
          continue;
        }
        // A development server may reload a page while files change: try again before giving up.
        for (let attempt = 1; ; attempt++) {
          try {
            await shoot(page, url, join(opts.out, s.file), s.from);
            break;
          } catch (err) {
            if (attempt >= 3) throw err;
            console.warn(`retrying ${s.file}: ${(err as Error).message.split("\n")[0]}`);
          }
        }
        console.log(`${join(opts.out, s.file)}  ${url}`);
      }
    } finally {
      await browser.close();
    }
  });

await program.parseAsync(process.argv);
