import { NextResponse } from "next/server";
import { groupParam, handle } from "@/server/http/route";
import { deleteGroup } from "@/server/services/delete-group";
import { describeGroup } from "@/server/services/describe-group";

export const dynamic = "force-dynamic";

export const GET = handle(async (request, _context, { clients }) => NextResponse.json(await describeGroup(groupParam(request), clients)));

export const DELETE = handle(async (request, _context, { clients }) => {
  await deleteGroup(groupParam(request), clients);
  return new NextResponse(null, { status: 204 });
});
