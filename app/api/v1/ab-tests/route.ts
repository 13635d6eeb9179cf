import { createAbTest, createAbTestInput, listAbTests, listAbTestsQuery } from "@/lib/abtest";
import { json, route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: listAbTestsQuery }, async ({ query }) => ({ ab_tests: await listAbTests(query) }));

export const POST = route({ role: "editor", body: createAbTestInput }, async ({ actor, body }) => json(await createAbTest(body, actor), 201));
