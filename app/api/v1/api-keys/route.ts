import { createApiKey, createApiKeyInput, listApiKeys } from "@/lib/auth";
import { json, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "admin" }, async ({ actor }) => ({ api_keys: await listApiKeys(actor) }));

/** The key is in this response only; it is stored hashed. */
export const POST = route({ role: "admin", body: createApiKeyInput }, async ({ actor, body }) => {
  const { key, info } = await createApiKey(body, actor);
  return json({ key, ...info }, 201);
});
