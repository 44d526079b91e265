import { HydrationBoundary } from "@tanstack/react-query";
import { Suspense } from "react";
import { GroupView } from "@/components/groups/group-view";
import { pageParam } from "@/lib/paths";
import { queryKeys } from "@/lib/query-keys";
import { prefetch } from "@/server/http/prefetch";
import { describeGroup } from "@/server/services/describe-group";

export const dynamic = "force-dynamic";

export default async function GroupPage({ params }: { params: Promise<{ group: string }> }) {
  const id = pageParam((await params).group);
  const state = await prefetch([{ queryKey: queryKeys.group(id), load: () => describeGroup(id) }]);
  return (
    <HydrationBoundary state={state}>
      <Suspense>
        <GroupView id={id} />
      </Suspense>
    </HydrationBoundary>
  );
}
