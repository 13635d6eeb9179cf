// Stand-ins for next/headers and next/cache so server actions run outside a Next request: the
// caller's headers come from withRequestHeaders(), and the action's own authorization (currentActor
// → authenticate → requireRole) is the real one. Use with
//   vi.mock("next/headers", () => import("./support/authz-next-stubs"));
//   vi.mock("next/cache", () => import("./support/authz-next-stubs"));
import { AsyncLocalStorage } from "node:async_hooks";

const current = new AsyncLocalStorage<Headers>();

/** Runs `fn` as if it were the server action of a request with these headers. */
export function withRequestHeaders<T>(headers: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  return current.run(new Headers(headers), fn);
}

const requestHeaders = () => current.getStore() ?? new Headers();

export async function headers(): Promise<Headers> {
  return requestHeaders();
}

export async function cookies(): Promise<{ toString(): string; get(name: string): { name: string; value: string } | undefined }> {
  const raw = requestHeaders().get("cookie") ?? "";
  return {
    toString: () => raw,
    get: (name) => {
      for (const part of raw.split(";")) {
        const [k, ...v] = part.trim().split("=");
        if (k === name) return { name, value: v.join("=") };
      }
      return undefined;
    },
  };
}

export function revalidatePath(): void {}
export function revalidateTag(): void {}
export function updateTag(): void {}
export function refresh(): void {}
