// server.ts without Next (fast routes only), shut down the way `mlops start` does it: SIGTERM →
// close (which flushes the prediction log after the last response) → exit 0. Usage:
//   node --import tsx bench/predict-server.ts PORT   (bench/predict.ts starts it when there is no production build)
import { startServer } from "../server";

const port = Number(process.argv[2]);
const server = await startServer({ port, next: false });
console.log(`listening ${port}`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
