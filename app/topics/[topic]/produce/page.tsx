import { ProduceForm } from "@/components/produce/produce-form";
import { pageParam } from "@/lib/paths";

export const dynamic = "force-dynamic";

export default async function ProducePage({ params }: { params: Promise<{ topic: string }> }) {
  return <ProduceForm topic={pageParam((await params).topic)} />;
}
