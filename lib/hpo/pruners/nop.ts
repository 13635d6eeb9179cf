import type { Pruner } from "./types";

/** Never prunes. */
export class NopPruner implements Pruner {
  readonly name = "none";
  prune(): boolean {
    return false;
  }
}
