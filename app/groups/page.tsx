import { HydrationBoundary } from "@tanstack/react-query";
import { Suspense } from "react";
import { GroupsView } from "@/components/groups/groups-view";
import { groupListQuery, readGroupListParams } from "@/components/groups/search-params";
import { can } from "@/lib/permissions";
import { queryKeys } from "@/lib/query-keys";
import { currentAccess } from "@/server/auth/current";
import { prefetch } from "@/server/http/prefetch";
import { groupListPage } from "@/server/services/group-list-page";

export const dynamic = "force-dynamic";

export default async function GroupsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const query = groupListQuery(readGroupListParams(new URLSearchParams(Object.entries(raw).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])))));
  // Rendered into the page: only the groups the user may view, as GET /api/group-list answers.
  const access = await currentAccess();
  const state = await prefetch([
    { queryKey: queryKeys.groupList(query), load: () => groupListPage(query, undefined, undefined, undefined, (group) => can(access, "groups:view", { group })) },
  ]);
  return (
    <HydrationBoundary state={state}>
      <Suspense>
        <GroupsView />
      </Suspense>
    </HydrationBoundary>
  );
}
