import { route } from "@/lib/http";
import { listRetrainings, modelByName } from "@/lib/monitoring";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => ({
  retrainings: await listRetrainings((await modelByName(params.name!)).id),
}));
