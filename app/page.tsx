import { HydrationBoundary } from "@tanstack/react-query";
import { OverviewView } from "@/components/overview/overview-view";
import { queryKeys } from "@/lib/query-keys";
import { prefetch } from "@/server/http/prefetch";
import { describeCluster } from "@/server/services/describe-cluster";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const state = await prefetch([{ queryKey: queryKeys.overview(), load: () => describeCluster() }]);
  return (
    <HydrationBoundary state={state}>
      <OverviewView />
    </HydrationBoundary>
  );
}
