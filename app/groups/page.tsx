import { HydrationBoundary } from "@tanstack/react-query";
import { Suspense } from "react";
import { GroupsView } from "@/components/groups/groups-view";
import { groupListQuery, readGroupListParams } from "@/components/groups/search-params";
import { queryKeys } from "@/lib/query-keys";
import { prefetch } from "@/server/http/prefetch";
import { groupListPage } from "@/server/services/group-list-page";

export const dynamic = "force-dynamic";

export default async function GroupsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const query = groupListQuery(readGroupListParams(new URLSearchParams(Object.entries(raw).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])))));
  const state = await prefetch([{ queryKey: queryKeys.groupList(query), load: () => groupListPage(query) }]);
  return (
    <HydrationBoundary state={state}>
      <Suspense>
        <GroupsView />
      </Suspense>
    </HydrationBoundary>
  );
}
