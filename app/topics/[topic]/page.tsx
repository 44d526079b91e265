import { HydrationBoundary } from "@tanstack/react-query";
import { Suspense } from "react";
import { TopicView } from "@/components/topics/topic-view";
import { pageParam } from "@/lib/paths";
import { queryKeys } from "@/lib/query-keys";
import { prefetch } from "@/server/http/prefetch";
import { getTopic } from "@/server/services/get-topic";

export const dynamic = "force-dynamic";

export default async function TopicPage({ params }: { params: Promise<{ topic: string }> }) {
  const name = pageParam((await params).topic);
  const state = await prefetch([{ queryKey: queryKeys.topic(name), load: () => getTopic(name) }]);
  return (
    <HydrationBoundary state={state}>
      <Suspense>
        <TopicView name={name} />
      </Suspense>
    </HydrationBoundary>
  );
}
