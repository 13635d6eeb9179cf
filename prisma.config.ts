// Prisma CLI configuration: the JS schema engine over a driver adapter (no engine downloads).
// The target (sqlite or postgres) follows DATABASE_URL, or MLOPS_PRISMA_TARGET when set.
import type { PrismaConfig } from "prisma";

const url = process.env.DATABASE_URL ?? "file:./data/mlops.db";
const target = process.env.MLOPS_PRISMA_TARGET ?? (/^postgres(ql)?:/.test(url) ? "postgres" : "sqlite");

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: `prisma/${target}/schema.prisma`,
  migrations: { path: `prisma/${target}/migrations` },
  async adapter() {
    if (target === "postgres") {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      // Short idle timeout: the CLI exits as soon as it is done instead of waiting for the pool.
      return new PrismaPg({ connectionString: url, idleTimeoutMillis: 200, allowExitOnIdle: true });
    }
    const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSqlite3({ url: url.replace(/^file:/, "") });
  },
} satisfies PrismaConfig;
