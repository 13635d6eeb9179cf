// Public API of the gbdt family: histogram gradient-boosted trees with a plain TypeScript scorer.
export { trainGbdt, trainGbdtDetailed } from "./train";
export type { GbdtDataset, GbdtIterationInfo, GbdtTrainOptions, GbdtTrainResult } from "./train";
export { Booster } from "./booster";
export { GbdtModel, GBDT_FORMAT_VERSION, rawToProba } from "./model";
export type { GbdtModelInfo, GbdtModelJSON, GbdtPackedHeader, ImportanceType } from "./model";
export { GBDT_DEFAULTS, MAX_DEPTH_ISSUE, maxDepthValid, gbdtParamsSchema, gbdtParamsShape, parseGbdtParams } from "./params";
export type { GbdtObjective, GbdtParams, GbdtParamsInput } from "./params";
export type { ForestArrays } from "./forest";
