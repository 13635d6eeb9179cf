import { route } from "@/lib/http";
import { listMonitors } from "@/lib/monitoring";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer" }, async () => ({ monitors: await listMonitors() }));
