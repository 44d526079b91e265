import { NextResponse } from "next/server";
import { groupParam, handle } from "@/server/http/route";
import { groupStatus } from "@/server/services/group-lag-history";

export const dynamic = "force-dynamic";

/** A group's status (OK, WARNING, STALLED, STOPPED, REWIND) per partition and overall, with the reasons. */
export const GET = handle(async (request, _context, { clients }) => NextResponse.json(await groupStatus(groupParam(request), clients)));
