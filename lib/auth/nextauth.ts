// next-auth configuration: email + password, optional GitHub/Google when their env vars are set.
// JWT sessions carry only the user id; role and disabled state are read from the database per request.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { config } from "../config";
import { authSecret } from "./secret";
import { upsertOAuthUser, verifyCredentials } from "./users";

export async function authOptions(): Promise<NextAuthOptions> {
  const c = config();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "Email",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        try {
          const user = await verifyCredentials(credentials?.email ?? "", credentials?.password ?? "");
          return { id: user.id, email: user.email, name: user.name };
        } catch {
          return null;
        }
      },
    }),
  ];
  if (c.GITHUB_ID && c.GITHUB_SECRET) {
    providers.push(GitHubProvider({ clientId: c.GITHUB_ID, clientSecret: c.GITHUB_SECRET }));
  }
  if (c.GOOGLE_CLIENT_ID && c.GOOGLE_CLIENT_SECRET) {
    providers.push(GoogleProvider({ clientId: c.GOOGLE_CLIENT_ID, clientSecret: c.GOOGLE_CLIENT_SECRET }));
  }
  return {
    secret: await authSecret(),
    session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
    pages: { signIn: "/signin" },
    providers,
    callbacks: {
      async signIn({ user, account }) {
        if (!account || account.provider === "credentials") return true;
        if (!user.email) return false;
        try {
          const u = await upsertOAuthUser(account.provider, account.providerAccountId, user.email, user.name ?? null, c.OAUTH_DEFAULT_ROLE);
          user.id = u.id;
          return true;
        } catch {
          return false;
        }
      },
      async jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
    },
  };
}

export function oauthProviders(): { id: string; name: string }[] {
  const c = config();
  const out: { id: string; name: string }[] = [];
  if (c.GITHUB_ID && c.GITHUB_SECRET) out.push({ id: "github", name: "GitHub" });
  if (c.GOOGLE_CLIENT_ID && c.GOOGLE_CLIENT_SECRET) out.push({ id: "google", name: "Google" });
  return out;
}
