import { HydrationBoundary } from "@tanstack/react-query";
import { BrokersView } from "@/components/brokers/brokers-view";
import { queryKeys } from "@/lib/query-keys";
import { prefetch } from "@/server/http/prefetch";
import { describeQuorum } from "@/server/services/describe-quorum";
import { listBrokers } from "@/server/services/list-brokers";

export const dynamic = "force-dynamic";

export default async function BrokersPage() {
  const state = await prefetch([
    { queryKey: queryKeys.brokers(), load: async () => ({ brokers: await listBrokers() }) },
    { queryKey: queryKeys.quorum(), load: () => describeQuorum() },
  ]);
  return (
    <HydrationBoundary state={state}>
      <BrokersView />
    </HydrationBoundary>
  );
}
