import { NextResponse } from "next/server";
import { topicRateQuerySchema } from "@/lib/lag-history";
import { handle, parseQuery, topicParam } from "@/server/http/route";
import { topicRateHistory } from "@/server/services/topic-rates";

export const dynamic = "force-dynamic";

/** A topic's production rate (records/s) over ?range=1h|1d|1w, from the sampled end offsets. */
export const GET = handle(async (request, { params }: { params: Promise<{ topic: string }> }) =>
  NextResponse.json(topicRateHistory(await topicParam(params), parseQuery(request, topicRateQuerySchema).range)),
);
