import { NextResponse } from "next/server";
import { groupLagQuerySchema } from "@/lib/lag-history";
import { groupParam, handle, parseQuery } from "@/server/http/route";
import { groupLagHistory } from "@/server/services/group-lag-history";

export const dynamic = "force-dynamic";

/** A group's lag over ?range=1h|1d|1w, ?by=total|topic|partition (&topic=), at most 1,000 points per series. */
export const GET = handle(async (request) => NextResponse.json(groupLagHistory(groupParam(request), parseQuery(request, groupLagQuerySchema))));
