// Objectives written as modules: the default export `async (trial) => number`, and for the grid
// sampler an exported `searchSpace`. Used by `mlops hpo run` and its local trial jobs.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { invalid } from "@/lib/errors";
import type { ParamValue } from "./distributions";
import type { Objective } from "./study";
import type { ObjectiveFactory } from "./trial-job";

export interface ObjectiveModule {
  objective: Objective;
  searchSpace?: Record<string, ParamValue[]>;
}

/** Imports an objective module (.mjs, .js or .ts); relative paths are resolved against the working directory. */
export async function loadObjectiveModule(path: string): Promise<ObjectiveModule> {
  const url = pathToFileURL(resolve(process.cwd(), path)).href;
  let mod: { default?: unknown; searchSpace?: unknown };
  try {
    mod = (await import(url)) as typeof mod;
  } catch (err) {
    throw invalid(`cannot load objective module '${path}': ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof mod.default !== "function") throw invalid(`'${path}' must export a default function (trial) => number`);
  const space = mod.searchSpace;
  if (space !== undefined && (space === null || typeof space !== "object" || Array.isArray(space))) {
    throw invalid(`'${path}' exports searchSpace, but it is not an object of name → array of values`);
  }
  return { objective: mod.default as Objective, searchSpace: space as Record<string, ParamValue[]> | undefined };
}

/** Objective factory for `{kind: "module", path}` specs (absolute paths, as the CLI stores them). */
export const moduleObjective: ObjectiveFactory = async (spec) => {
  if (typeof spec.path !== "string" || !spec.path) throw invalid("a module objective needs a path");
  return (await loadObjectiveModule(spec.path)).objective;
};
