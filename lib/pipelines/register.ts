// Registration and promotion of a pipeline's model, per the definition's promotion policy:
//   none                 register the version, move no alias;
//   challenger           lib/training's policy: champion when the model has none, challenger when it
//                        beats the champion's test metric by the margin;
//   champion-if-better   as challenger, but a version that beats the champion becomes the champion.
import { CHALLENGER, CHAMPION, deleteModelAlias, promote } from "../registry";
import { registerVersion, versionFromRun, type Registration } from "../training";
import type { Task } from "../ml";
import type { PipelineDefinition } from "./definition";

export interface RegisterInput {
  runId: string;
  source: string;
  signature: unknown;
  task: Task;
  family: string;
  testMetrics: Record<string, number>;
}

export async function registerForPipeline(
  pipelineName: string,
  def: PipelineDefinition,
  input: RegisterInput,
): Promise<{ name: string; version: number; alias: string | null; reason: string }> {
  const req = def.register!;
  if (def.promote === "none") {
    const mv = await versionFromRun(null, req.name, { ...input, tags: { family: input.family, task: input.task, pipeline: pipelineName } });
    return { name: req.name, version: mv.version, alias: null, reason: "promotion policy 'none'" };
  }
  const reg: Registration = await registerVersion(null, { name: req.name, metric: req.metric, margin: req.margin }, input);
  if (def.promote === "champion-if-better" && reg.alias === CHALLENGER) {
    await promote(null, req.name, reg.version, { alias: CHAMPION, reason: `pipeline ${pipelineName}: ${reg.reason}`, actorLabel: `pipeline:${pipelineName}` });
    // The version is the champion now; a challenger alias on it would only confuse A/B tests.
    await deleteModelAlias(null, req.name, CHALLENGER).catch(() => undefined);
    return { name: reg.name, version: reg.version, alias: CHAMPION, reason: reg.reason };
  }
  return { name: reg.name, version: reg.version, alias: reg.alias, reason: reg.reason };
}
