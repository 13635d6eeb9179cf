// OpenAPI 3.1 from the same Zod schemas the route handlers validate with (z.toJSONSchema), so the
// document cannot drift from what the API accepts.
import { z } from "zod";
import type { Role } from "../auth";

export interface ApiOperation {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI path with {params}, e.g. /api/v1/runs/{id}. */
  path: string;
  summary: string;
  tag: string;
  role: Role;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body is the raw bytes of a file. */
  rawBody?: boolean;
  /** The answer is the raw bytes of a file. */
  rawResponse?: boolean;
  status?: number;
}

function schemaOf(s: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(s, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

export function openApiDocument(info: { title: string; version: string; description?: string }, operations: ApiOperation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters: Record<string, unknown>[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (op.query) {
      const q = schemaOf(op.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema });
      }
    }
    const operation: Record<string, unknown> = {
      summary: op.summary,
      tags: [op.tag],
      operationId: `${op.method}${op.path.replace(/^\/api\/v1/, "").replace(/[{}]/g, "").replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      description: `Needs the ${op.role} role.`,
      parameters,
      responses: {
        [String(op.status ?? 200)]: op.rawResponse
          ? { description: "The file", content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } } }
          : { description: "OK", content: { "application/json": { schema: {} } } },
        "400": errorResponse("Invalid input"),
        "401": errorResponse("Not signed in and no valid API key"),
        "403": errorResponse(`Needs the ${op.role} role`),
        "404": errorResponse("Not found"),
      },
    };
    if (op.body) operation.requestBody = { required: true, content: { "application/json": { schema: schemaOf(op.body) } } };
    if (op.rawBody) {
      operation.requestBody = { required: true, content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } } };
    }
    (paths[op.path] ??= {})[op.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info,
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "An API key: Authorization: Bearer mlops_…" },
        sessionCookie: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
            },
          },
        },
      },
    },
  };
}
