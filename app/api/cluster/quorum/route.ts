import { NextResponse } from "next/server";
import { handle } from "@/server/http/route";
import { describeQuorum } from "@/server/services/describe-quorum";

export const dynamic = "force-dynamic";

export const GET = handle(async (_request, _context, { clients }) => NextResponse.json(await describeQuorum(clients)));
