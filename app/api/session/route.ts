import { NextResponse } from "next/server";
import { handle } from "@/server/http/route";
import { sessionInfo } from "@/server/auth/session-info";

export const dynamic = "force-dynamic";

/** Who is logged in, and what they may do on the cluster shown (the UI hides what would be refused). */
export const GET = handle(async (_request, _context, scope) => NextResponse.json(sessionInfo(scope.access), { headers: { "Cache-Control": "no-store" } }));
