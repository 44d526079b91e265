"use client";

import { useQuery } from "@tanstack/react-query";
import { brokerConfigsQuery } from "@/lib/queries";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { ConfigTable } from "@/components/configs/config-table";
import { PageHeader } from "@/components/ui/layout";
import { ErrorState, Loading } from "@/components/ui/states";

export function BrokerConfigsView({ id }: { id: number }) {
  const { data, error, isPending, refetch } = useQuery(brokerConfigsQuery(id));
  const { params, update } = useSearchParamsState();
  return (
    <>
      <PageHeader title={`Broker ${id}`} subtitle="Configuration, with where each value comes from" />
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} onRetry={() => refetch()} />
      ) : (
        <ConfigTable configs={data.configs} filter={params.get("q") ?? ""} onFilter={(q) => update({ q })} testId="broker-configs" />
      )}
    </>
  );
}
