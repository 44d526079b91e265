"use client";

import { useParams } from "next/navigation";
import { NotFoundState } from "@/components/ui/not-found-state";
import { pageParam, paths } from "@/lib/paths";
import { topicNameProblem } from "@/lib/topic-name";

/**
 * The topic pages' not-found: names the topic (given by the view that saw the
 * 404, or read from the URL, since Next's not-found page gets no props) and
 * leads back to the list.
 */
export function TopicNotFound({ name: given }: { name?: string }) {
  const segment = useParams<{ topic?: string }>().topic;
  const name = given ?? (segment === undefined ? undefined : pageParam(segment));
  const problem = name === undefined ? null : topicNameProblem(name);
  const shown = <span className="font-mono text-slate-700 dark:text-slate-300" data-testid="not-found-name">{name}</span>;
  return (
    <NotFoundState title="Topic not found" back={{ href: paths.topics(), label: "Back to topics" }}>
      {name === undefined ? null : problem ? (
        <>
          No topic can be named {shown}: {problem}.
        </>
      ) : (
        <>The cluster has no topic {shown}.</>
      )}
    </NotFoundState>
  );
}
