// The demo story (`mlops demo`, the dashboard's "Load demo data"): builds datasets, runs, a study,
// a model with champion and challenger, an A/B test and a drift episode on a running instance,
// through its REST API. See docs/demo.md.
export { runDemo, DEMO_SEED, type DemoOptions, type DemoProgress, type DemoResult } from "./story";
export { generateChurn, churnCsv, churnInstance, churnLogit, CHURN_FEATURES, CHURN_TARGET, CHURN_CLASSES, type ChurnRow } from "./churn";
export { DemoRequestError } from "./client";
export { DEMO_JOB, activeDemoJob, demoJobHandler, enqueueDemo, withTemporaryKey } from "./job";
export { namesFor, SUFFIX_PATTERN } from "./names";
export { locateStory, type JsonRequest, type StoryPages } from "./locate";
