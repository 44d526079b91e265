"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, jsonBody } from "@/lib/api-client";
import { configListSchema } from "@/lib/contracts";
import { paths } from "@/lib/paths";
import { topicConfigsQuery } from "@/lib/queries";
import { queryKeys } from "@/lib/query-keys";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { ConfigTable } from "@/components/configs/config-table";
import { NotAllowed, usePermission } from "@/components/layout/access";
import { ErrorState, Loading } from "@/components/ui/states";

export function ConfigsTab({ topic }: { topic: string }) {
  const { data, error, isPending, refetch } = useQuery(topicConfigsQuery(topic));
  const queryClient = useQueryClient();
  const mayEdit = usePermission("configs:edit", { topic });
  const { params, update } = useSearchParamsState();
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} onRetry={() => refetch()} />;
  return (
    <>
    <NotAllowed testId="topic-configs-not-allowed" controls={[{ what: "Editing configs", decision: mayEdit }]} />
    <ConfigTable
      configs={data.configs}
      filter={params.get("q") ?? ""}
      onFilter={(q) => update({ q })}
      testId="topic-configs"
      editing={!mayEdit.allowed ? undefined : {
        canEdit: (c) => !c.readOnly,
        canReset: (c) => c.source === "DYNAMIC_TOPIC_CONFIG",
        resetHint: "Remove the override; the broker default applies",
        alter: async (set) => {
          const configs = await apiFetch(`${paths.api.topic(topic)}/configs`, configListSchema, { method: "PATCH", ...jsonBody({ set }) });
          queryClient.setQueryData(queryKeys.topicConfigs(topic), configs);
        },
      }}
    />
    </>
  );
}
