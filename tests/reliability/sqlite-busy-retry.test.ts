// SQLite, several processes on one file (the web process's prediction-log writer, workers, the CLI):
// a transaction that read before writing fails at once (SQLITE_BUSY_SNAPSHOT) when another
// connection committed in between. The better-sqlite3 adapter reports that as P1008 "Operation has
// timed out"; `transaction()` must retry it like any lock contention (found by predict-promote.test.ts:
// promotions failed under prediction traffic).
import Database from "better-sqlite3";
import { describe, expect, inject, it } from "vitest";
import { db, transaction } from "@/lib/db";
import { uid } from "../support/factories";

describe.runIf(process.env.TEST_DB === "sqlite")("SQLite lock contention between connections", () => {
  it("retries a transaction whose read snapshot went stale before its first write", async () => {
    const other = new Database(inject("databaseUrl").replace(/^file:/, ""), { timeout: 15_000 });
    const key = `busy-${uid()}`;
    let calls = 0;
    try {
      const result = await transaction(async (tx) => {
        calls++;
        await tx.user.count(); // the read that starts the snapshot
        // Another connection commits meanwhile (first call only), so this transaction cannot write.
        if (calls === 1) other.prepare(`INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, 'other', ?)`).run(key, Date.now());
        await tx.setting.upsert({ where: { key }, create: { key, value: "mine" }, update: { value: "mine" } });
        return "written";
      });
      expect(result).toBe("written");
      expect(calls).toBe(2);
      expect((await db().setting.findUniqueOrThrow({ where: { key } })).value).toBe("mine");
    } finally {
      other.close();
    }
  });
});
