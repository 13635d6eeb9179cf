// MLflow's artifact proxy: upload (PUT), download (GET), list (GET artifacts?path=), delete, multipart uploads (POST mpu/...).
import { handleMlflowArtifactsRequest } from "@/lib/mlflow";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ path: string[] }> };
const handle = async (req: Request, ctx: Ctx) => handleMlflowArtifactsRequest(req, (await ctx.params).path);

export { handle as GET, handle as PUT, handle as POST, handle as DELETE };
