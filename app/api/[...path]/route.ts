import { NextResponse } from "next/server";
import type { ApiError } from "@/lib/contracts";

export const dynamic = "force-dynamic";

/**
 * Any /api path no route handler serves: a JSON 404 as every API error is,
 * not the HTML page a browser would get. Next.js prefers every static and
 * dynamic route over a catch-all, so this shadows none of them.
 */
function unknownPath(request: Request): NextResponse<ApiError> {
  const { pathname } = new URL(request.url);
  return NextResponse.json(
    { error: { code: "NOT_FOUND", message: `no API route serves ${request.method} ${pathname}; /api/openapi.json lists the routes` } },
    { status: 404 },
  );
}

export const GET = unknownPath;
export const POST = unknownPath;
export const PUT = unknownPath;
export const PATCH = unknownPath;
export const DELETE = unknownPath;
