import { NextResponse } from "next/server";
import { handle, topicParam } from "@/server/http/route";
import { deleteTopic } from "@/server/services/delete-topic";
import { getTopic } from "@/server/services/get-topic";

export const dynamic = "force-dynamic";
type Context = { params: Promise<{ topic: string }> };

export const GET = handle(async (_request, { params }: Context, { clients }) => NextResponse.json(await getTopic(await topicParam(params), clients)));

export const DELETE = handle(async (_request, { params }: Context, { clients }) => {
  await deleteTopic(await topicParam(params), clients);
  return new NextResponse(null, { status: 204 });
});
