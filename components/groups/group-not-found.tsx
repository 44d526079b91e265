"use client";

import { useParams } from "next/navigation";
import { NotFoundState } from "@/components/ui/not-found-state";
import { pageParam, paths } from "@/lib/paths";

/** The group page's not-found: names the group from the URL (a not-found page gets no props) and leads back to the list. */
export function GroupNotFound({ id }: { id?: string }) {
  const segment = useParams<{ group?: string }>().group;
  const groupId = id ?? (segment === undefined ? undefined : pageParam(segment));
  return (
    <NotFoundState title="Consumer group not found" back={{ href: paths.groups(), label: "Back to consumer groups" }}>
      {groupId === undefined ? null : (
        <>
          The cluster has no group <span className="font-mono text-slate-700 dark:text-slate-300" data-testid="not-found-name">{groupId}</span>: it was never created, or it was deleted, or its offsets expired.
        </>
      )}
    </NotFoundState>
  );
}
