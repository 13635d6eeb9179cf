// The synthetic "customer churn" data set of the demo: seeded, so every instance tells the same story.
// The signal is deliberately non-linear (a contract × tenure interaction and a support-calls
// threshold), so tree ensembles beat a linear model by a clear margin and the A/B test has a truly
// better arm. `shifted` draws the production stream after the market changed: shorter tenures,
// higher charges, more support calls — the drift episode.
import { mulberry32 } from "../datasets";

export const CHURN_TARGET = "churn";
export const CHURN_CLASSES = ["left", "stayed"] as const;

export const CHURN_FEATURES = [
  "tenure_months",
  "monthly_charges",
  "contract",
  "support_calls",
  "plan",
  "data_usage_gb",
  "age",
  "region",
] as const;

export interface ChurnRow {
  tenure_months: number;
  monthly_charges: number;
  contract: "month-to-month" | "one-year" | "two-year";
  support_calls: number;
  plan: "basic" | "standard" | "premium";
  data_usage_gb: number;
  age: number;
  region: "north" | "south" | "east" | "west";
  churn: (typeof CHURN_CLASSES)[number];
}

export interface ChurnOptions {
  rows: number;
  seed: number;
  /** Draw from the shifted (drifted) population instead of the training one. */
  shifted?: boolean;
}

function pick<T>(rand: () => number, values: readonly T[], weights: readonly number[]): T {
  let u = rand() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < values.length; i++) {
    u -= weights[i]!;
    if (u < 0) return values[i]!;
  }
  return values[values.length - 1]!;
}

/** Standard normal by Box–Muller (one draw per call; simplicity over speed). */
function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function poisson(rand: () => number, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rand();
  while (p > l) {
    k++;
    p *= rand();
  }
  return k;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Log-odds of leaving: what the models have to learn. */
export function churnLogit(r: Omit<ChurnRow, "churn">): number {
  const monthly = r.contract === "month-to-month";
  let z = -1.6;
  if (monthly && r.tenure_months < 12) z += 3.2; // new customers without commitment leave
  if (monthly && r.monthly_charges > 80) z += 1.6; // …especially expensive ones
  if (r.support_calls >= 4) z += 2.4; // a threshold, not a slope
  if (r.contract === "two-year") z -= 1.5;
  if (r.plan === "premium" && r.data_usage_gb > 40) z -= 1.2; // heavy premium users stay
  if (r.age < 26 || r.age > 66) z += 2.2; // the youngest and the oldest customers leave: a U, not a line
  if (r.data_usage_gb < 5) z += 1.4; // customers who stopped using the service
  z -= 0.01 * r.tenure_months;
  return z;
}

export function generateChurn(opts: ChurnOptions): ChurnRow[] {
  const rand = mulberry32(opts.seed);
  const s = !!opts.shifted;
  const rows: ChurnRow[] = [];
  for (let i = 0; i < opts.rows; i++) {
    const contract = pick(rand, ["month-to-month", "one-year", "two-year"] as const, s ? [0.75, 0.17, 0.08] : [0.5, 0.3, 0.2]);
    const plan = pick(rand, ["basic", "standard", "premium"] as const, [0.45, 0.35, 0.2]);
    const tenure = Math.round(clamp(-Math.log(Math.max(rand(), 1e-9)) * (s ? 9 : 24), 1, 72));
    const charges = round(clamp((plan === "basic" ? 35 : plan === "standard" ? 60 : 90) + normal(rand) * 12 + (s ? 28 : 0), 18, 160), 2);
    const calls = Math.min(12, poisson(rand, s ? 3.2 : 1.4));
    const usage = round(clamp((plan === "premium" ? 45 : 18) + normal(rand) * 12, 0, 150), 1);
    const age = Math.round(clamp(45 + normal(rand) * 16, 18, 85));
    const region = pick(rand, ["north", "south", "east", "west"] as const, [1, 1, 1, 1]);
    const row = { tenure_months: tenure, monthly_charges: charges, contract, support_calls: calls, plan, data_usage_gb: usage, age, region };
    // Little label noise: the better model should be visibly better, not lucky.
    const p = 1 / (1 + Math.exp(-1.6 * churnLogit(row)));
    rows.push({ ...row, churn: rand() < p ? "left" : "stayed" });
  }
  return rows;
}

/** RFC 4180 CSV (no field here needs quoting). */
export function churnCsv(rows: readonly ChurnRow[]): string {
  const header = [...CHURN_FEATURES, CHURN_TARGET];
  const lines = rows.map((r) => header.map((h) => String(r[h as keyof ChurnRow])).join(","));
  return `${header.join(",")}\n${lines.join("\n")}\n`;
}

/** The features of a row, as the predict API takes them. */
export function churnInstance(r: ChurnRow): Omit<ChurnRow, "churn"> {
  const { churn: _, ...features } = r;
  return features;
}
