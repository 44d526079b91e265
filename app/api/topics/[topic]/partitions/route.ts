import { NextResponse } from "next/server";
import { addPartitionsInputSchema } from "@/lib/contracts";
import { handle, parseBody, topicParam } from "@/server/http/route";
import { addPartitions } from "@/server/services/add-partitions";

export const dynamic = "force-dynamic";

export const POST = handle(async (request, { params }: { params: Promise<{ topic: string }> }, { clients }) => {
  const input = await parseBody(request, addPartitionsInputSchema);
  return NextResponse.json(await addPartitions(await topicParam(params), input, clients));
});
