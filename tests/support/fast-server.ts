// server.ts without Next (fast routes only), shut down the way `mlops start` does it: SIGTERM →
// close (which flushes the prediction log after the last response) → exit 0. Usage:
//   node --import tsx tests/support/fast-server.ts PORT
import { startServer } from "../../server";

const port = Number(process.argv[2]);
const server = await startServer({ port, next: false });
console.log(`listening ${port}`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
