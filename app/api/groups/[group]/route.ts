import { NextResponse } from "next/server";
import { groupParam, handle } from "@/server/http/route";
import { deleteGroup } from "@/server/services/delete-group";
import { describeGroup } from "@/server/services/describe-group";

export const dynamic = "force-dynamic";
type Context = { params: Promise<{ group: string }> };

export const GET = handle(async (_request, { params }: Context) => NextResponse.json(await describeGroup(await groupParam(params))));

export const DELETE = handle(async (_request, { params }: Context) => {
  await deleteGroup(await groupParam(params));
  return new NextResponse(null, { status: 204 });
});
