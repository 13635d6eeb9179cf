import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const alias = { "@": fileURLToPath(new URL(".", import.meta.url)) };

// Integration tests run once per database; each run gets a fresh database (tests/support/global-db.ts).
// The reliability suite (tests/reliability) uses the same set-up; its long parts (*.long.test.ts)
// run only under `npm run test:reliability` (MLOPS_RELIABILITY_LONG=1).
const long = process.env.MLOPS_RELIABILITY_LONG === "1";
const integration = (db: "sqlite" | "postgres", suite: "integration" | "reliability" = "integration") => ({
  resolve: { alias },
  test: {
    name: `${suite}-${db}`,
    include: [`tests/${suite}/**/*.test.ts`],
    exclude: suite === "reliability" && !long ? ["tests/reliability/**/*.long.test.ts"] : [],
    environment: "node",
    globalSetup: ["tests/support/global-db.ts"],
    setupFiles: ["tests/support/setup-db.ts"],
    env: { TEST_DB: db, LOG_LEVEL: "silent" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files share one database; tests create uniquely named data, and the queue tests use their own job types.
    fileParallelism: false,
  },
});

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        // Generous timeout: some unit tests train small models or spawn the CLI, and CI machines are small.
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node", env: { LOG_LEVEL: "silent" }, testTimeout: 60_000 },
      },
      integration("sqlite"),
      integration("postgres"),
      integration("sqlite", "reliability"),
      integration("postgres", "reliability"),
    ],
  },
});
