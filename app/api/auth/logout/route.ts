import { NextResponse } from "next/server";
import { clearedSessionCookie } from "@/server/auth/session";
import { audit, handle } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** Log out: clears the session cookie (204), audited with the user it belonged to. */
export const POST = handle(async (request, _context, { clusterId, user }) => {
  if (user) audit({ request, user, cluster: clusterId, action: "auth:logout", target: null, status: 204, result: "ok", detail: null });
  const secure = new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  return new NextResponse(null, { status: 204, headers: { "Set-Cookie": clearedSessionCookie(secure) } });
});
