"use client";

import { useParams } from "next/navigation";
import { NotFoundState } from "@/components/ui/not-found-state";
import { pageParam, paths } from "@/lib/paths";

/** The topic pages' not-found: names the topic from the URL (a not-found page gets no props) and leads back to the list. */
export function TopicNotFound() {
  const segment = useParams<{ topic?: string }>().topic;
  return (
    <NotFoundState title="Topic not found" back={{ href: paths.topics(), label: "Back to topics" }}>
      {segment === undefined ? null : (
        <>
          The cluster has no topic <span className="font-mono text-slate-700 dark:text-slate-300" data-testid="not-found-name">{pageParam(segment)}</span>.
        </>
      )}
    </NotFoundState>
  );
}
