import { NextResponse } from "next/server";
import { browseInputSchema, produceInputSchema } from "@/lib/contracts";
import { handle, parseBody, parseQuery, topicParam } from "@/server/http/route";
import { browseMessages } from "@/server/services/browse-messages";
import { produceRecords } from "@/server/services/produce-records";
import { maskedMatches, maskerForRequest } from "@/server/masking";

export const dynamic = "force-dynamic";
type Context = { params: Promise<{ topic: string }> };

/** Browse: ?partition=all|n&start=oldest|newest|offset|timestamp&offset=&timestamp=&count=&order=&cursor=&q=&in=any|key|value|headers */
export const GET = handle(async (request, { params }: Context, scope) => {
  const topic = await topicParam(params);
  const input = parseQuery(request, browseInputSchema);
  const result = await browseMessages(topic, input, scope.clients);
  // Masked here, on the server: the hidden bytes never leave it (search results and pages alike).
  const masker = maskerForRequest(scope, topic);
  return NextResponse.json(masker ? { ...result, messages: maskedMatches(result.messages, masker, input) } : result);
});

/** Produce: { partition, key, keyFormat, value, valueFormat, headers: [{ key, value, valueFormat }], count }; formats text, json or base64 (headers text or base64); null value: tombstone */
export const POST = handle(async (request, { params }: Context, { clients }) => {
  const input = await parseBody(request, produceInputSchema);
  return NextResponse.json(await produceRecords(await topicParam(params), input, clients), { status: 201 });
});
