import { NextResponse } from "next/server";
import { handle } from "@/server/http/route";
import { topicTrends } from "@/server/services/topic-rates";

export const dynamic = "force-dynamic";

/**
 * The last hour's production rate of ?topics=a,b,c (the page of the topic list
 * shown, at most 100; topic names hold no comma). Not under /api/topics/, where
 * any segment is a topic name.
 */
export const GET = handle(async (request) => {
  const topics = (new URL(request.url).searchParams.get("topics") ?? "").split(",").filter(Boolean);
  return NextResponse.json({ trends: topicTrends(topics) });
});
