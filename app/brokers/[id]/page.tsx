import { notFound } from "next/navigation";
import { Suspense } from "react";
import { BrokerConfigsView } from "@/components/brokers/broker-configs-view";

export const dynamic = "force-dynamic";

export default async function BrokerPage({ params }: { params: Promise<{ id: string }> }) {
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id < 0) notFound();
  return (
    <Suspense>
      <BrokerConfigsView id={id} />
    </Suspense>
  );
}
