// Model registry: registered models, versions, aliases and promotion, lineage.
export * from "./types";
export * from "./schemas";
export {
  createRegisteredModel,
  deleteRegisteredModel,
  deleteRegisteredModelTag,
  getRegisteredModel,
  listRegisteredModels,
  renameRegisteredModel,
  updateRegisteredModel,
} from "./models";
export {
  createModelVersion,
  deleteModelVersion,
  deleteModelVersionTag,
  getLatestVersions,
  getModelVersion,
  listModelVersions,
  loggedModelRegistrations,
  searchModelVersions,
  transitionModelVersionStage,
  updateModelVersion,
} from "./versions";
export {
  deleteModelAlias,
  getModelVersionByAlias,
  promote,
  promotionHistory,
  rollbackPromotion,
  setModelAlias,
  type PromoteOptions,
  type PromotionRecord,
} from "./aliases";
export { getModelVersionLineage } from "./lineage";
export { modelsQuery, promotionsQuery, registryApi, rollbackInput } from "./api";
