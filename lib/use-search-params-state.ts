"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";

/**
 * Reads and writes a page's URL search params. `update` merges: undefined or ""
 * removes a param. `push` adds a history entry (pagination), otherwise the
 * current entry is replaced (typing in a filter).
 */
export function useSearchParamsState() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const update = useCallback(
    (changes: Record<string, string | number | undefined | null>, options: { push?: boolean } = {}) => {
      // The live URL, not the rendered params: two quick changes must not overwrite each other.
      const next = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === null || value === "") next.delete(key);
        else next.set(key, String(value));
      }
      const query = next.toString();
      const url = query ? `${pathname}?${query}` : pathname;
      if (options.push) router.push(url, { scroll: false });
      else router.replace(url, { scroll: false });
    },
    [pathname, router],
  );
  return { params: params ?? new URLSearchParams(), update };
}
