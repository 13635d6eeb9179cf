import { route } from "@/lib/http";
import { alertsQuery, listAlerts } from "@/lib/monitoring";

export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", query: alertsQuery }, async ({ query }) => ({ alerts: await listAlerts(query) }));
