import { HydrationBoundary } from "@tanstack/react-query";
import { Suspense } from "react";
import { GroupsView } from "@/components/groups/groups-view";
import { queryKeys } from "@/lib/query-keys";
import { prefetch } from "@/server/http/prefetch";
import { listConsumerGroups } from "@/server/services/list-groups";

export const dynamic = "force-dynamic";

export default async function GroupsPage() {
  const state = await prefetch([{ queryKey: queryKeys.groups(), load: () => listConsumerGroups() }]);
  return (
    <HydrationBoundary state={state}>
      <Suspense>
        <GroupsView />
      </Suspense>
    </HydrationBoundary>
  );
}
