import { NextResponse } from "next/server";
import { handle, topicParam } from "@/server/http/route";
import { purgeTopic } from "@/server/services/purge-topic";

export const dynamic = "force-dynamic";

export const POST = handle(async (_request, { params }: { params: Promise<{ topic: string }> }, { clients }) =>
  NextResponse.json(await purgeTopic(await topicParam(params), clients)),
);
