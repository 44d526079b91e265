import { NextResponse } from "next/server";
import { z } from "zod";
import { handle } from "@/server/http/route";
import { describeBrokerConfigs } from "@/server/services/describe-configs";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.coerce.number().int().min(0) });

export const GET = handle(async (_request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = paramsSchema.parse(await params);
  return NextResponse.json(await describeBrokerConfigs(id));
});
