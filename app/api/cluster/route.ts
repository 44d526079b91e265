import { NextResponse } from "next/server";
import { handle } from "@/server/http/route";
import { describeCluster } from "@/server/services/describe-cluster";

export const dynamic = "force-dynamic";

export const GET = handle(async (_request, _context, { clients }) => NextResponse.json(await describeCluster(clients)));
