"use client";

import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { z } from "zod";
import { apiFetch, jsonBody } from "@/lib/api-client";
import { purgeResultSchema } from "@/lib/contracts";
import { paths } from "@/lib/paths";
import { queryKeys } from "@/lib/query-keys";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/field";
import { Notice } from "@/components/ui/states";
import { NotAllowed, usePermission } from "@/components/layout/access";

type Open = "purge" | "delete" | "partitions" | null;

/** Produce, add partitions, purge and delete; an internal topic (Kafka's own state) offers neither purge nor delete. */
export function TopicActions({ topic, partitions, internal }: { topic: string; partitions: number; internal: boolean }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<Open>(null);
  const [more, setMore] = useState("1");
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: queryKeys.cluster() });
  const fail = (error: Error) => setNotice({ tone: "error", text: error.message });
  // Controls the user may not use are not shown; the note below says why.
  const mayProduce = usePermission("messages:produce", { topic });
  const mayGrow = usePermission("configs:edit", { topic });
  const mayPurge = usePermission("topics:purge", { topic });
  const mayDelete = usePermission("topics:delete", { topic });

  const purge = useMutation({
    mutationFn: () => apiFetch(`${paths.api.topic(topic)}/purge`, purgeResultSchema, { method: "POST" }),
    onSuccess: async () => {
      setOpen(null);
      setNotice({ tone: "success", text: "All records were deleted; the topic stays." });
      await invalidate();
    },
    onError: (e) => (setOpen(null), fail(e)),
  });
  const remove = useMutation({
    mutationFn: () => apiFetch(paths.api.topic(topic), null, { method: "DELETE" }),
    onSuccess: async () => {
      await invalidate();
      router.push(paths.topics());
    },
    onError: (e) => (setOpen(null), fail(e)),
  });
  const grow = useMutation({
    mutationFn: (count: number) => apiFetch(`${paths.api.topic(topic)}/partitions`, z.object({ partitions: z.number() }), { method: "POST", ...jsonBody({ count }) }),
    onSuccess: async (r) => {
      setOpen(null);
      setNotice({ tone: "success", text: `The topic now has ${r.partitions} partitions.` });
      await invalidate();
    },
    onError: fail,
  });

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        {mayProduce.allowed ? (
          <Link href={paths.produce(topic)} data-testid="produce-link" className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900">
            Produce
          </Link>
        ) : null}
        {mayGrow.allowed ? (
          <Button onClick={() => setOpen(open === "partitions" ? null : "partitions")} data-testid="add-partitions">
            Add partitions
          </Button>
        ) : null}
        {internal ? null : (
          <>
            {mayPurge.allowed ? (
              <Button onClick={() => setOpen("purge")} data-testid="purge-topic">
                Purge
              </Button>
            ) : null}
            {mayDelete.allowed ? (
              <Button variant="danger" onClick={() => setOpen("delete")} data-testid="delete-topic">
                Delete
              </Button>
            ) : null}
          </>
        )}
      </div>
      <NotAllowed
        testId="topic-actions-not-allowed"
        controls={[
          { what: "Produce", decision: mayProduce },
          { what: "Add partitions", decision: mayGrow },
          ...(internal ? [] : [{ what: "Purge", decision: mayPurge }, { what: "Delete", decision: mayDelete }]),
        ]}
      />
      {internal ? (
        <p className="text-xs text-slate-500" data-testid="internal-topic-note">
          Kafka keeps its own state in this topic; it cannot be purged or deleted from here.
        </p>
      ) : null}
      {open === "partitions" ? (
        <form
          className="flex items-center gap-2 text-sm"
          onSubmit={(e) => {
            e.preventDefault();
            const count = Number(more);
            if (!Number.isInteger(count) || count < 1) return setNotice({ tone: "error", text: "add at least 1 partition" });
            grow.mutate(count);
          }}
        >
          <span>
            {partitions} + <Input type="number" min={1} value={more} onChange={(e) => setMore(e.target.value)} className="w-20" data-testid="add-partitions-count" /> partitions
          </span>
          <Button type="submit" variant="primary" disabled={grow.isPending} data-testid="add-partitions-submit">
            Add
          </Button>
        </form>
      ) : null}
      {notice ? (
        <Notice tone={notice.tone} testId="topic-action-notice">
          {notice.text}
        </Notice>
      ) : null}
      {open === "purge" ? (
        <ConfirmDialog
          title={`Purge ${topic}?`}
          confirmLabel="Purge all records"
          typeToConfirm={topic}
          busy={purge.isPending}
          onConfirm={() => purge.mutate()}
          onCancel={() => setOpen(null)}
          testId="purge-dialog"
        >
          Every record in every partition is deleted (DeleteRecords up to the high watermark). The topic and its configuration stay. This cannot be undone.
        </ConfirmDialog>
      ) : null}
      {open === "delete" ? (
        <ConfirmDialog
          title={`Delete ${topic}?`}
          confirmLabel="Delete topic"
          typeToConfirm={topic}
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onCancel={() => setOpen(null)}
          testId="delete-dialog"
        >
          The topic, its records and its configuration are deleted. Producers that write to it later may re-create it if the cluster auto-creates topics.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
