import { createUser, createUserInput, listUsers } from "@/lib/auth";
import { json, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "admin" }, async ({ actor }) => ({ users: await listUsers(actor) }));

export const POST = route({ role: "admin", body: createUserInput }, async ({ actor, body }) =>
  json(await createUser(body, actor), 201),
);
