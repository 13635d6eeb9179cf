import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth";

// Options are built per request: the signing secret may live in the database.
async function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  const nextAuth = NextAuth(await authOptions());
  return nextAuth(req, ctx);
}

export { handler as GET, handler as POST };
