// MLflow's artifact proxy (/api/2.0/mlflow-artifacts/artifacts/...): upload (PUT, streamed into the
// ArtifactStore), download (GET, streamed out), list, delete; large files may come in parts
// (multipart.ts). Paths resolve and are checked in artifact-paths.ts.
import { z } from "zod";
import { artifactStore, downloadHeaders } from "../artifacts";
import { config } from "../config";
import { AppError, notFound } from "../errors";
import { fileInfos, resolvePath } from "./artifact-paths";
import { multipartRoutes } from "./multipart";
import type { MlflowRoute } from "./protocol";

export const artifactRoutes: MlflowRoute[] = [
  {
    method: "PUT",
    path: "artifacts/*",
    role: "editor",
    body: "raw",
    handler: async ({ req, rest }) => {
      const target = await resolvePath(rest.join("/"), { write: true });
      const limit = config().MAX_ARTIFACT_BYTES;
      if (Number(req.headers.get("content-length") ?? 0) > limit) {
        throw new AppError("payload_too_large", `Artifact is over the ${limit}-byte limit`);
      }
      await artifactStore().put(target, req.body ?? new Uint8Array(), { maxBytes: limit });
      return {};
    },
  },
  {
    method: "GET",
    path: "artifacts/*",
    role: "viewer",
    handler: async ({ rest }) => {
      const path = rest.join("/");
      const { stream, size } = await artifactStore().getStream(await resolvePath(path));
      return new Response(stream, { headers: downloadHeaders(path, size) });
    },
  },
  {
    method: "DELETE",
    path: "artifacts/*",
    role: "editor",
    handler: async ({ rest }) => {
      const target = await resolvePath(rest.join("/"), { write: true });
      if (!(await artifactStore().delete(target))) throw notFound("Artifact", rest.join("/"));
      return {};
    },
  },
  {
    method: "GET",
    path: "artifacts",
    role: "viewer",
    handler: async ({ input }) => {
      const { path } = z.object({ path: z.string().optional() }).parse(input);
      const rel = (path ?? "").replace(/^\/+|\/+$/g, "");
      const entries = await artifactStore().list(await resolvePath(rel, { allowRoot: true }));
      return { files: fileInfos(entries) };
    },
  },
  ...multipartRoutes,
];
