import { NextResponse } from "next/server";
import { can } from "@/lib/permissions";
import { createTopicInputSchema } from "@/lib/contracts";
import { handle, parseBody, parseQuery } from "@/server/http/route";
import { topicListQuerySchema } from "@/lib/topic-list";
import { createTopic } from "@/server/services/create-topic";
import { listTopics } from "@/server/services/list-topics";

export const dynamic = "force-dynamic";

/** One page of topics for ?q=&sort=&dir=&internal=1&page= (see lib/topic-list.ts). */
export const GET = handle(async (request, _context, { clients, access }) =>
  NextResponse.json(await listTopics(parseQuery(request, topicListQuerySchema), clients, (topic) => can(access, "topics:view", { topic }))),
);

export const POST = handle(async (request, _context, { clients }) => {
  const input = await parseBody(request, createTopicInputSchema);
  return NextResponse.json(await createTopic(input, clients), { status: 201 });
});
