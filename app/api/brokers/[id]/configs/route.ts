import { NextResponse } from "next/server";
import { z } from "zod";
import { alterConfigsInputSchema } from "@/lib/contracts";
import { handle, parseBody } from "@/server/http/route";
import { alterBrokerConfigs } from "@/server/services/alter-broker-configs";
import { describeBrokerConfigs } from "@/server/services/describe-configs";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.coerce.number().int().min(0) });
type Context = { params: Promise<{ id: string }> };

export const GET = handle(async (_request, { params }: Context, { clients }) => {
  const { id } = paramsSchema.parse(await params);
  return NextResponse.json(await describeBrokerConfigs(id, clients));
});

export const PATCH = handle(async (request, { params }: Context, { clients }) => {
  const { id } = paramsSchema.parse(await params);
  const input = await parseBody(request, alterConfigsInputSchema);
  return NextResponse.json(await alterBrokerConfigs(id, input, clients));
});
