import { HydrationBoundary } from "@tanstack/react-query";
import { Suspense } from "react";
import { TopicsView } from "@/components/topics/topics-view";
import { readTopicListParams, topicListQuery } from "@/components/topics/search-params";
import { can } from "@/lib/permissions";
import { queryKeys } from "@/lib/query-keys";
import { currentAccess } from "@/server/auth/current";
import { prefetch } from "@/server/http/prefetch";
import { listTopics } from "@/server/services/list-topics";

export const dynamic = "force-dynamic";

export default async function TopicsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // The same query the client view derives from the URL, so it hydrates instead of asking again.
  const params = new URLSearchParams(Object.entries(await searchParams).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
  const query = topicListQuery(readTopicListParams(params));
  // Rendered into the page: only the topics the user may view, as GET /api/topics answers.
  const access = await currentAccess();
  const state = await prefetch([{ queryKey: queryKeys.topics(query), load: () => listTopics(query, undefined, (topic) => can(access, "topics:view", { topic })) }]);
  return (
    <HydrationBoundary state={state}>
      <Suspense>
        <TopicsView />
      </Suspense>
    </HydrationBoundary>
  );
}
