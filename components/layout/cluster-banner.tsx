"use client";

import { useQuery } from "@tanstack/react-query";
import { ApiRequestError } from "@/lib/api-client";
import { overviewQuery } from "@/lib/queries";

/** A clear banner on every page while the cluster cannot be reached. */
export function ClusterBanner() {
  const { error } = useQuery(overviewQuery());
  if (!(error instanceof ApiRequestError) || (error.status !== 503 && error.status !== 0)) return null;
  return (
    <div role="alert" data-testid="cluster-unreachable" className="border-b border-red-300 bg-red-50 px-6 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
      <strong>The Kafka cluster is unreachable.</strong> {error.message}. Check that the brokers in KAFKA_BROKERS are running; this page retries on its own.
    </div>
  );
}
