import { afterAll, inject } from "vitest";
import { resetConfig } from "@/lib/config";
import { disconnectDb } from "@/lib/db";

process.env.DATABASE_URL = inject("databaseUrl");
resetConfig();

afterAll(async () => {
  await disconnectDb();
});
