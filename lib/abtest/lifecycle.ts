// Lifecycle of A/B tests: create (draft) → start → pause ⇄ start → stop, and promote the winner.
// Arms pin model versions at creation: an alias is resolved once, so moving `champion` mid-test does
// not change what an arm serves.
import { requireRole, writeAudit, type Actor } from "../auth";
import { db, dbKind, newId, parseJson, transaction, type Tx } from "../db";
import { conflict, invalid, notFound } from "../errors";
import { parseWith } from "../http";
import { promote, type Promotion } from "../registry";
import { invalidateAssignmentCache } from "./assign";
import { createAbTestInput, SHADOW_ARM, type Guardrail, type MetricKind, type TestState } from "./schemas";
import { DEFAULT_TAU } from "./sequential";

export const DEFAULT_MIN_SAMPLES = 100;

export interface AbTestArm {
  name: string;
  version: number;
  version_id: string;
  weight: number;
}

export interface AbTest {
  id: string;
  name: string;
  model: string;
  model_id: string;
  state: TestState;
  metric: { kind: MetricKind };
  /** Live arms in declared order; the first is the baseline. */
  arms: AbTestArm[];
  shadow: { version: number; version_id: string } | null;
  guardrails: Guardrail[];
  min_samples: number;
  sequential_tau: number;
  winner_arm: string | null;
  created_at: string;
  started_at: string | null;
  stopped_at: string | null;
}

interface StoredConfig {
  min_samples?: number;
  guardrails?: Guardrail[];
  sequential_tau?: number;
  arm_order?: string[];
}

const INCLUDE = {
  model: { select: { name: true } },
  arms: { include: { version: { select: { version: true } } } },
} as const;

type Row = NonNullable<Awaited<ReturnType<typeof findRow>>>;

function findRow(client: Tx | ReturnType<typeof db>, id: string) {
  return client.abTest.findUnique({ where: { id }, include: INCLUDE });
}

function toAbTest(row: Row): AbTest {
  const cfg = parseJson<StoredConfig>(row.config, {});
  const order = cfg.arm_order ?? [];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  const live = row.arms.filter((a) => !a.isShadow).sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  const shadow = row.arms.find((a) => a.isShadow);
  return {
    id: row.id,
    name: row.name,
    model: row.model.name,
    model_id: row.modelId,
    state: row.state as TestState,
    metric: { kind: row.metricKind as MetricKind },
    arms: live.map((a) => ({ name: a.name, version: a.version.version, version_id: a.versionId, weight: a.weight })),
    shadow: shadow ? { version: shadow.version.version, version_id: shadow.versionId } : null,
    guardrails: cfg.guardrails ?? [],
    min_samples: cfg.min_samples ?? DEFAULT_MIN_SAMPLES,
    sequential_tau: cfg.sequential_tau ?? DEFAULT_TAU,
    winner_arm: row.winnerArm,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    stopped_at: row.stoppedAt?.toISOString() ?? null,
  };
}

async function resolveVersion(tx: Tx, modelId: string, ref: { alias?: string; version?: number }) {
  if (ref.version !== undefined) {
    return tx.modelVersion.findUnique({ where: { modelId_version: { modelId, version: ref.version } }, select: { id: true, version: true } });
  }
  const alias = await tx.modelAlias.findUnique({
    where: { modelId_alias: { modelId, alias: ref.alias! } },
    select: { version: { select: { id: true, version: true } } },
  });
  return alias?.version ?? null;
}

function describeRef(ref: { alias?: string; version?: number }): string {
  return ref.version !== undefined ? `version ${ref.version}` : `alias '${ref.alias}'`;
}

/** Creates a draft test. `input` is checked here, so callers may pass the raw request body. */
export async function createAbTest(input: unknown, actor: Actor | null): Promise<AbTest> {
  if (actor) requireRole(actor, "editor");
  const body = parseWith(createAbTestInput, input, "A/B test");
  const id = await transaction(async (tx) => {
    const model = await tx.registeredModel.findUnique({ where: { name: body.model }, select: { id: true, name: true } });
    if (!model) throw notFound("Registered model", body.model);
    const problems: { path: string; message: string }[] = [];
    const arms: { name: string; versionId: string; weight: number; isShadow: boolean }[] = [];
    for (const [i, arm] of body.arms.entries()) {
      const v = await resolveVersion(tx, model.id, arm);
      if (!v) problems.push({ path: `arms.${i}`, message: `Model '${model.name}' has no ${describeRef(arm)}` });
      else arms.push({ name: arm.name, versionId: v.id, weight: arm.weight, isShadow: false });
    }
    if (body.shadow) {
      const v = await resolveVersion(tx, model.id, body.shadow);
      if (!v) problems.push({ path: "shadow", message: `Model '${model.name}' has no ${describeRef(body.shadow)}` });
      else arms.push({ name: SHADOW_ARM, versionId: v.id, weight: 0, isShadow: true });
    }
    if (problems.length) throw invalid(`Invalid A/B test: ${problems.map((p) => p.message).join("; ")}`, problems);
    const config: StoredConfig = {
      min_samples: body.min_samples ?? DEFAULT_MIN_SAMPLES,
      guardrails: body.guardrails ?? [],
      sequential_tau: body.sequential_tau ?? DEFAULT_TAU,
      arm_order: body.arms.map((a) => a.name),
    };
    const testId = newId();
    await tx.abTest.create({
      data: {
        id: testId,
        name: body.name,
        modelId: model.id,
        metricKind: body.metric.kind,
        config: JSON.stringify(config),
        arms: { create: arms.map((a) => ({ id: newId(), ...a })) },
      },
    });
    await writeAudit(tx, actor, "ab_test.create", { type: "ab_test", id: testId }, {
      name: body.name,
      model: model.name,
      arms: body.arms.map((a) => ({ name: a.name, weight: a.weight })),
      metric: body.metric.kind,
    });
    return testId;
  });
  return getAbTest(id);
}

export async function getAbTest(id: string): Promise<AbTest> {
  const row = await findRow(db(), id);
  if (!row) throw notFound("A/B test", id);
  return toAbTest(row);
}

export async function listAbTests(filter: { model?: string; state?: TestState } = {}): Promise<AbTest[]> {
  const rows = await db().abTest.findMany({
    where: { state: filter.state, model: filter.model ? { name: filter.model } : undefined },
    include: INCLUDE,
    orderBy: { createdAt: "desc" },
    take: 500,
  });
  return rows.map(toAbTest);
}

/**
 * Serializes state changes of the tests of one model, so two concurrent starts cannot both see
 * "no other running test": a row lock on PostgreSQL, the database write lock on SQLite.
 */
async function lockModel(tx: Tx, modelId: string): Promise<void> {
  if (dbKind() === "postgres") {
    await tx.$queryRawUnsafe(`SELECT "id" FROM "RegisteredModel" WHERE "id" = $1 FOR UPDATE`, modelId);
  } else {
    await tx.$executeRawUnsafe(`UPDATE "AbTest" SET "state" = "state" WHERE "modelId" = ?`, modelId);
  }
}

type Transition = "start" | "pause" | "stop";

async function transition(id: string, actor: Actor | null, action: Transition, winnerArm?: string | null): Promise<AbTest> {
  if (actor) requireRole(actor, "editor");
  const head = await db().abTest.findUnique({ where: { id }, select: { modelId: true } });
  if (!head) throw notFound("A/B test", id);
  const changed = await transaction(async (tx) => {
    await lockModel(tx, head.modelId);
    const row = await findRow(tx, id);
    if (!row) throw notFound("A/B test", id);
    const state = row.state as TestState;
    const now = new Date();
    if (action === "start") {
      if (state === "running") return false;
      if (state === "stopped") throw invalid(`A/B test '${row.name}' is stopped; create a new test to run again`);
      const other = await tx.abTest.findFirst({ where: { modelId: row.modelId, state: "running", id: { not: id } }, select: { id: true, name: true } });
      if (other) {
        throw invalid(`Model '${row.model.name}' already has a running A/B test ('${other.name}', ${other.id}); pause or stop it first`, {
          running_test: other.id,
        });
      }
      await tx.abTest.update({ where: { id }, data: { state: "running", startedAt: row.startedAt ?? now } });
    } else if (action === "pause") {
      if (state === "paused") return false;
      if (state !== "running") throw invalid(`Only a running test can pause; '${row.name}' is ${state}`);
      await tx.abTest.update({ where: { id }, data: { state: "paused" } });
    } else {
      if (state === "stopped") return false;
      await tx.abTest.update({ where: { id }, data: { state: "stopped", stoppedAt: now, winnerArm: winnerArm ?? null } });
    }
    await writeAudit(tx, actor, `ab_test.${action}`, { type: "ab_test", id }, { name: row.name, model: row.model.name, from: state });
    return true;
  });
  // The predict path of this process sees the change at once; other processes within the cache TTL.
  if (changed) invalidateAssignmentCache(head.modelId);
  return getAbTest(id);
}

export function startAbTest(id: string, actor: Actor | null): Promise<AbTest> {
  return transition(id, actor, "start");
}

export function pauseAbTest(id: string, actor: Actor | null): Promise<AbTest> {
  return transition(id, actor, "pause");
}

/** Stops the test and records the winner the analysis names at that moment (if any). */
export function stopAbTestWithWinner(id: string, actor: Actor | null, winnerArm: string | null): Promise<AbTest> {
  return transition(id, actor, "stop", winnerArm);
}

/** Moves the model's `champion` alias to the winning arm's version (audited twice: the promotion and the test). */
export async function promoteArm(test: AbTest, arm: string, actor: Actor | null, reason?: string): Promise<Promotion> {
  if (actor) requireRole(actor, "editor");
  if (test.state !== "stopped") throw conflict(`Stop A/B test '${test.name}' before promoting its winner`);
  const winner = test.arms.find((a) => a.name === arm);
  if (!winner) throw invalid(`A/B test '${test.name}' has no arm '${arm}'`);
  const promotion = await promote(actor, test.model, winner.version, {
    reason: reason ?? `Winner of A/B test '${test.name}' (arm ${winner.name})`,
    actorLabel: "ab-test",
  });
  await transaction(async (tx) => {
    await tx.abTest.update({ where: { id: test.id }, data: { winnerArm: winner.name } });
    await writeAudit(tx, actor, "ab_test.promote_winner", { type: "ab_test", id: test.id }, {
      name: test.name,
      model: test.model,
      arm: winner.name,
      version: winner.version,
      from_version: promotion.fromVersion,
    });
  });
  return promotion;
}
