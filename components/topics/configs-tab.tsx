"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch, jsonBody } from "@/lib/api-client";
import { configListSchema } from "@/lib/contracts";
import { paths } from "@/lib/paths";
import { topicConfigsQuery } from "@/lib/queries";
import { queryKeys } from "@/lib/query-keys";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { ConfigTable } from "@/components/configs/config-table";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/field";
import { ErrorState, Loading, Notice } from "@/components/ui/states";

export function ConfigsTab({ topic }: { topic: string }) {
  const { data, error, isPending, refetch } = useQuery(topicConfigsQuery(topic));
  const queryClient = useQueryClient();
  const { params, update } = useSearchParamsState();
  const [editing, setEditing] = useState<{ name: string; value: string } | null>(null);
  const alter = useMutation({
    mutationFn: (set: Record<string, string | null>) => apiFetch(`${paths.api.topic(topic)}/configs`, configListSchema, { method: "PATCH", ...jsonBody({ set }) }),
    onSuccess: (configs) => {
      queryClient.setQueryData(queryKeys.topicConfigs(topic), configs);
      setEditing(null);
    },
  });
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} onRetry={() => refetch()} />;
  return (
    <div className="space-y-3">
      {alter.error ? (
        <Notice tone="error" testId="config-error">
          {alter.error.message}
        </Notice>
      ) : null}
      <ConfigTable
        configs={data.configs}
        filter={params.get("q") ?? ""}
        onFilter={(q) => update({ q })}
        testId="topic-configs"
        actions={(c) =>
          c.readOnly ? null : editing?.name === c.name ? (
            <form
              className="flex justify-end gap-1"
              onSubmit={(e) => {
                e.preventDefault();
                alter.mutate({ [c.name]: editing.value });
              }}
            >
              <Input value={editing.value} onChange={(e) => setEditing({ name: c.name, value: e.target.value })} className="w-48 font-mono" data-testid="config-edit-value" autoFocus />
              <Button type="submit" variant="primary" disabled={alter.isPending} data-testid="config-save">
                Save
              </Button>
              <Button onClick={() => setEditing(null)}>Cancel</Button>
            </form>
          ) : (
            <span className="flex justify-end gap-1">
              <Button variant="ghost" onClick={() => setEditing({ name: c.name, value: c.value ?? "" })} data-testid={`config-edit-${c.name}`}>
                Edit
              </Button>
              {c.source === "DYNAMIC_TOPIC_CONFIG" ? (
                <Button variant="ghost" onClick={() => alter.mutate({ [c.name]: null })} title="Remove the override; the broker default applies">
                  Reset
                </Button>
              ) : null}
            </span>
          )
        }
      />
    </div>
  );
}
