import "server-only";
import { dehydrate, type DehydratedState, type QueryKey } from "@tanstack/react-query";
import { notFound } from "next/navigation";
import { makeQueryClient } from "@/lib/query-client";
import { ServiceError, toServiceError } from "../kafka/errors";

/** A server render waits at most this long for the cluster; the client view takes over after that. */
const PREFETCH_MS_MAX = 2_000;

/**
 * Runs services on the server under the query keys the client views use, and
 * returns the dehydrated cache. A failure or a slow cluster is not an error
 * here: the client view then loads (and shows the error) itself. Only a
 * permanent answer, a 404 from the service (no such topic or group), ends the
 * render in the nearest not-found page with HTTP 404, as the API route would.
 */
export async function prefetch(entries: Array<{ queryKey: QueryKey; load: () => Promise<unknown> }>): Promise<DehydratedState> {
  const client = makeQueryClient();
  await Promise.all(
    entries.map(({ queryKey, load }) =>
      Promise.race([client.prefetchQuery({ queryKey, queryFn: load }), new Promise((resolve) => setTimeout(resolve, PREFETCH_MS_MAX))]),
    ),
  );
  for (const { queryKey } of entries) {
    const failure = toServiceError(client.getQueryState(queryKey)?.error);
    if (failure instanceof ServiceError && failure.kind === "NOT_FOUND") notFound();
  }
  return dehydrate(client);
}
