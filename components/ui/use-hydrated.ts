"use client";

import { useSyncExternalStore } from "react";

const noop = () => () => undefined;

/**
 * False in server HTML and until React has hydrated. Controls that only work once hydrated stay
 * disabled until then, so an early click is not silently lost (and tests wait for them).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(noop, () => true, () => false);
}
