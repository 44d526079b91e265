import { NextResponse } from "next/server";
import { alterConfigsInputSchema } from "@/lib/contracts";
import { handle, parseBody, topicParam } from "@/server/http/route";
import { alterTopicConfigs } from "@/server/services/alter-topic-configs";
import { describeTopicConfigs } from "@/server/services/describe-configs";

export const dynamic = "force-dynamic";
type Context = { params: Promise<{ topic: string }> };

export const GET = handle(async (_request, { params }: Context, { clients }) => NextResponse.json(await describeTopicConfigs(await topicParam(params), clients)));

export const PATCH = handle(async (request, { params }: Context, { clients }) => {
  const input = await parseBody(request, alterConfigsInputSchema);
  return NextResponse.json(await alterTopicConfigs(await topicParam(params), input, clients));
});
