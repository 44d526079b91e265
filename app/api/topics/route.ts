import { NextResponse } from "next/server";
import { createTopicInputSchema } from "@/lib/contracts";
import { handle, parseBody } from "@/server/http/route";
import { createTopic } from "@/server/services/create-topic";
import { listTopics } from "@/server/services/list-topics";

export const dynamic = "force-dynamic";

export const GET = handle(async () => NextResponse.json(await listTopics()));

export const POST = handle(async (request) => {
  const input = await parseBody(request, createTopicInputSchema);
  return NextResponse.json(await createTopic(input), { status: 201 });
});
