import { route } from "@/lib/http";
import { acknowledgeAlert } from "@/lib/monitoring";

export const dynamic = "force-dynamic";

export const POST = route({ role: "editor" }, async ({ actor, params }) => acknowledgeAlert(actor, params.id!));
