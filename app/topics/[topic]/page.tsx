import { HydrationBoundary } from "@tanstack/react-query";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { TopicView } from "@/components/topics/topic-view";
import { pageParam } from "@/lib/paths";
import { queryKeys } from "@/lib/query-keys";
import { topicNameProblem } from "@/lib/topic-name";
import { prefetch } from "@/server/http/prefetch";
import { getTopic } from "@/server/services/get-topic";

export const dynamic = "force-dynamic";

export default async function TopicPage({ params }: { params: Promise<{ topic: string }> }) {
  const name = pageParam((await params).topic);
  // A name Kafka does not allow names no topic: a 404 here, not a Kafka error on the page.
  if (topicNameProblem(name)) notFound();
  const state = await prefetch([{ queryKey: queryKeys.topic(name), load: () => getTopic(name) }]);
  return (
    <HydrationBoundary state={state}>
      <Suspense>
        <TopicView name={name} />
      </Suspense>
    </HydrationBoundary>
  );
}
