import { getPredictionRetention, predictionRetentionInput, setPredictionRetention } from "@/lib/jobs";
import { route } from "@/lib/http";

export const dynamic = "force-dynamic";

/** `{days, source, updatedAt}`: how long predictions and their feedback are kept. */
export const GET = route({ role: "viewer" }, () => getPredictionRetention());

/** Admins: `{days}`; the next cleanup deletes older predictions (audited). */
export const PUT = route({ role: "admin", body: predictionRetentionInput }, ({ actor, body }) => setPredictionRetention(actor, body));
