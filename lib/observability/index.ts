export { logger } from "./logger";
export { metrics, routeLabel } from "./metrics";
