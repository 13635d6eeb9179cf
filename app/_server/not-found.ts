import "server-only";
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";

/** Awaits a lib call and turns its "not found" error into the page's 404. */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
}
