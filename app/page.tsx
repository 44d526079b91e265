import { HydrationBoundary } from "@tanstack/react-query";
import { OverviewView } from "@/components/overview/overview-view";
import { can } from "@/lib/permissions";
import { queryKeys } from "@/lib/query-keys";
import { currentAccess } from "@/server/auth/current";
import { prefetch } from "@/server/http/prefetch";
import { describeCluster } from "@/server/services/describe-cluster";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  // Rendered into the page: group figures over the groups the user may view only, as GET /api/cluster answers.
  const access = await currentAccess();
  const state = await prefetch([
    { queryKey: queryKeys.overview(), load: () => describeCluster(undefined, undefined, undefined, (group) => can(access, "groups:view", { group })) },
  ]);
  return (
    <HydrationBoundary state={state}>
      <OverviewView />
    </HydrationBoundary>
  );
}
