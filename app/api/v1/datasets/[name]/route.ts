import { getDataset } from "@/lib/datasets";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async ({ params }) => getDataset(params.name!));
