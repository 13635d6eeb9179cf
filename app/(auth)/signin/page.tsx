import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { oauthProviders } from "@/lib/auth";
import { currentActor } from "@/app/_server/actor";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  if (await currentActor()) redirect("/");
  const sp = await searchParams;
  // Only local paths: "//host" would be an open redirect.
  const callbackUrl = sp.callbackUrl && /^\/(?![\/\\])/.test(sp.callbackUrl) ? sp.callbackUrl : "/";
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-zinc-200 bg-white p-8 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="text-xl font-semibold">Sign in to MLOps</h1>
        <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">Use the email and password your admin gave you.</p>
        <SignInForm callbackUrl={callbackUrl} providers={oauthProviders()} initialError={sp.error ? "Sign-in failed. Try again." : null} />
      </div>
    </main>
  );
}
