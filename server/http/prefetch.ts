import "server-only";
import { dehydrate, type DehydratedState, type QueryKey } from "@tanstack/react-query";
import { makeQueryClient } from "@/lib/query-client";

/** A server render waits at most this long for the cluster; the client view takes over after that. */
const PREFETCH_MS_MAX = 2_000;

/**
 * Runs services on the server under the query keys the client views use, and
 * returns the dehydrated cache. A failure or a slow cluster is not an error
 * here: the client view then loads (and shows the error) itself.
 */
export async function prefetch(entries: Array<{ queryKey: QueryKey; load: () => Promise<unknown> }>): Promise<DehydratedState> {
  const client = makeQueryClient();
  await Promise.all(
    entries.map(({ queryKey, load }) =>
      Promise.race([client.prefetchQuery({ queryKey, queryFn: load }), new Promise((resolve) => setTimeout(resolve, PREFETCH_MS_MAX))]),
    ),
  );
  return dehydrate(client);
}
