import { NextResponse } from "next/server";
import { recordInputSchema } from "@/lib/contracts";
import { handle, topicParam } from "@/server/http/route";
import { getRecord } from "@/server/services/browse-messages";

export const dynamic = "force-dynamic";

/** One whole record ("load all"): key and value untruncated. */
export const GET = handle(async (_request, { params }: { params: Promise<{ topic: string; partition: string; offset: string }> }) => {
  const { partition, offset } = recordInputSchema.parse(await params);
  return NextResponse.json(await getRecord(await topicParam(params), partition, offset));
});
