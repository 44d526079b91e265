import { NextResponse } from "next/server";
import { recordInputSchema } from "@/lib/contracts";
import { handle, topicParam } from "@/server/http/route";
import { getRecord } from "@/server/services/browse-messages";
import { maskerForRequest } from "@/server/masking";

export const dynamic = "force-dynamic";

/** One whole record ("load all"): key and value untruncated. */
export const GET = handle(async (_request, { params }: { params: Promise<{ topic: string; partition: string; offset: string }> }, scope) => {
  const { partition, offset } = recordInputSchema.parse(await params);
  const topic = await topicParam(params);
  const record = await getRecord(topic, partition, offset, scope.clients);
  const masker = maskerForRequest(scope, topic);
  return NextResponse.json(masker ? masker.message(record) : record);
});
