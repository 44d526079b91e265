"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useCallback } from "react";

/**
 * Reads and writes a page's URL search params. `update` merges: undefined or ""
 * removes a param. `push` adds a history entry (pagination), otherwise the
 * current entry is replaced (typing in a filter).
 *
 * Writes go through the native History API, which Next.js syncs into
 * useSearchParams: the URL changes at once, so two quick changes (order, then
 * start) build on each other instead of the second overwriting the first.
 */
export function useSearchParamsState() {
  const params = useSearchParams();
  const pathname = usePathname();
  const update = useCallback(
    (changes: Record<string, string | number | undefined | null>, options: { push?: boolean } = {}) => {
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === null || value === "") next.delete(key);
        else next.set(key, String(value));
      }
      const query = next.toString();
      const url = query ? `${pathname}?${query}` : pathname;
      if (options.push) window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    },
    [pathname],
  );
  return { params: params ?? new URLSearchParams(), update };
}
