export * from "./ast";
export { parseFilter, parseOrderBy, RUN_FILTER_SPEC } from "./parser";
export { likeToRegExp, matchesFilter } from "./evaluate";
