// MLflow REST API (tracking and model registry) for the stock mlflow client; see docs/tracking.md.
import { handleMlflowRequest } from "@/lib/mlflow";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ path: string[] }> };
const handle = async (req: Request, ctx: Ctx) => handleMlflowRequest(req, (await ctx.params).path);

export { handle as GET, handle as POST, handle as PATCH, handle as DELETE, handle as PUT };
