import { QueryClient } from "@tanstack/react-query";
import { ApiRequestError } from "./api-client";

/** Retries only server-side failures (5xx other than "cluster unreachable"), never a 4xx answer. */
function retry(failures: number, error: unknown): boolean {
  return failures < 1 && error instanceof ApiRequestError && error.status >= 500 && error.status !== 503;
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, retry, refetchOnWindowFocus: false } } });
}
