// Bulk statements through the driver adapter Prisma itself uses (same SQLite connection or
// PostgreSQL pool, same transaction lock), without Prisma's query compiler. For writes whose
// parameters are large: a 1,000-point metric batch travels as one ~50 KB JSON text, and the
// compiler's per-byte cost would be most of the time. Parameters are still bound, never spliced
// into the SQL text.

type ArgType = { scalarType: "unknown"; arity: "scalar" };
interface RawQueryable {
  executeRaw(q: { sql: string; args: unknown[]; argTypes: ArgType[] }): Promise<number>;
}
interface RawTransaction extends RawQueryable {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
interface RawAdapter extends RawQueryable {
  readonly provider?: string;
  startTransaction(): Promise<RawTransaction>;
  queryRaw(q: { sql: string; args: unknown[]; argTypes: ArgType[] }): Promise<unknown>;
}

export interface AdapterHolder {
  adapter?: RawAdapter;
}

/**
 * Wraps a driver adapter factory so the adapter Prisma connects with is remembered in `holder`;
 * `pragmas` (SQLite) are set on the connection before its first query.
 */
export function capturingFactory<F extends object>(factory: F, holder: AdapterHolder, pragmas: string[] = []): F {
  return new Proxy(factory, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "connect" && typeof value === "function") {
        return async () => {
          const adapter = (await value.call(target)) as RawAdapter;
          for (const p of pragmas) await adapter.queryRaw({ sql: `PRAGMA ${p}`, args: [], argTypes: [] });
          holder.adapter = adapter;
          return adapter;
        };
      }
      // Methods run on the real factory: adapters keep private fields.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const argTypes = (args: unknown[]): ArgType[] => args.map(() => ({ scalarType: "unknown", arity: "scalar" }));

/**
 * Runs the statements in one transaction on the adapter of a connected client and returns each
 * statement's affected-row count. Any failure rolls the whole transaction back. On PostgreSQL a
 * single statement runs on its own (it is atomic by itself), saving the BEGIN and COMMIT round
 * trips; SQLite's one connection may be inside another transaction, so it always takes the lock.
 */
export async function runBulkTransaction(
  holder: AdapterHolder,
  connect: () => Promise<void>,
  statements: { sql: string; args: unknown[] }[],
): Promise<number[]> {
  if (!holder.adapter) await connect();
  const adapter = holder.adapter;
  if (!adapter) throw new Error("The database adapter did not connect");
  if (statements.length === 1 && adapter.provider === "postgres") {
    const [s] = statements as [{ sql: string; args: unknown[] }];
    return [await adapter.executeRaw({ sql: s.sql, args: s.args, argTypes: argTypes(s.args) })];
  }
  const tx = await adapter.startTransaction();
  try {
    const counts: number[] = [];
    for (const s of statements) counts.push(await tx.executeRaw({ sql: s.sql, args: s.args, argTypes: argTypes(s.args) }));
    // The adapters leave COMMIT/ROLLBACK to their caller; commit()/rollback() release the connection.
    await tx.executeRaw({ sql: "COMMIT", args: [], argTypes: [] });
    await tx.commit();
    return counts;
  } catch (err) {
    await tx.executeRaw({ sql: "ROLLBACK", args: [], argTypes: [] }).catch(() => undefined);
    await tx.rollback().catch(() => undefined);
    throw err;
  }
}
