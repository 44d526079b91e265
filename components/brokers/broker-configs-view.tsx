"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, jsonBody } from "@/lib/api-client";
import { configListSchema } from "@/lib/contracts";
import { brokerConfigsQuery } from "@/lib/queries";
import { queryKeys } from "@/lib/query-keys";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { ConfigTable } from "@/components/configs/config-table";
import { NotAllowed, usePermission } from "@/components/layout/access";
import { PageHeader } from "@/components/ui/layout";
import { ErrorState, Loading } from "@/components/ui/states";

export function BrokerConfigsView({ id }: { id: number }) {
  const { data, error, isPending, refetch } = useQuery(brokerConfigsQuery(id));
  const queryClient = useQueryClient();
  const mayEdit = usePermission("configs:edit");
  const { params, update } = useSearchParamsState();
  return (
    <>
      <PageHeader title={`Broker ${id}`} subtitle="Configuration, with where each value comes from; those Kafka can change while running can be edited" />
      <NotAllowed testId="broker-configs-not-allowed" controls={[{ what: "Editing configs", decision: mayEdit }]} />
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} onRetry={() => refetch()} />
      ) : (
        <ConfigTable
          configs={data.configs}
          filter={params.get("q") ?? ""}
          onFilter={(q) => update({ q })}
          testId="broker-configs"
          editing={!mayEdit.allowed ? undefined : {
            // Kafka describes every config it cannot change at run time as read-only.
            canEdit: (c) => !c.readOnly,
            canReset: (c) => c.source === "DYNAMIC_BROKER_CONFIG",
            resetHint: "Remove this broker's dynamic value; the cluster-wide, static or default value applies",
            alter: async (set) => {
              const configs = await apiFetch(`/api/brokers/${id}/configs`, configListSchema, { method: "PATCH", ...jsonBody({ set }) });
              queryClient.setQueryData(queryKeys.brokerConfigs(id), configs);
            },
          }}
        />
      )}
    </>
  );
}
