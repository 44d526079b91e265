import { HydrationBoundary } from "@tanstack/react-query";
import { Suspense } from "react";
import { TopicsView } from "@/components/topics/topics-view";
import { queryKeys } from "@/lib/query-keys";
import { prefetch } from "@/server/http/prefetch";
import { listTopics } from "@/server/services/list-topics";

export const dynamic = "force-dynamic";

export default async function TopicsPage() {
  const state = await prefetch([{ queryKey: queryKeys.topics(), load: () => listTopics() }]);
  return (
    <HydrationBoundary state={state}>
      <Suspense>
        <TopicsView />
      </Suspense>
    </HydrationBoundary>
  );
}
