import { ProduceForm } from "@/components/produce/produce-form";

export const dynamic = "force-dynamic";

export default async function ProducePage({ params }: { params: Promise<{ topic: string }> }) {
  return <ProduceForm topic={(await params).topic} />;
}
