// The names the demo story gives to what it builds; a suffix makes a second copy (`churn-2`, …).
export const SUFFIX_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;

export function namesFor(suffix: string | undefined) {
  const s = suffix ? `-${suffix}` : "";
  return {
    dataset: `churn${s}`,
    experiment: `churn${s}`,
    model: `churn-classifier${s}`,
    pipeline: `churn-retrain${s}`,
    search: `gbdt-search${s}`,
    abTest: `churn: challenger vs champion${suffix ? ` (${suffix})` : ""}`,
  };
}
