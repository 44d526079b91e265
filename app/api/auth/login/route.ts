import { NextResponse } from "next/server";
import { loginInputSchema, logIn } from "@/server/auth/login";
import { sessionCookie } from "@/server/auth/session";
import { audit, clientAddress, handle, parseBody } from "@/server/http/route";

export const dynamic = "force-dynamic";

const secure = (request: Request) => new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";

/** Log in: { username, password } → 200 { user } with the session cookie; 401 when wrong; 429 with Retry-After after too many failures. Audited either way. */
export const POST = handle(async (request, _context, { clusterId }) => {
  const input = await parseBody(request, loginInputSchema);
  const outcome = await logIn(input, clientAddress(request) ?? "unknown");
  const entry = { request, user: input.username, cluster: clusterId, action: "auth:login", target: null };
  switch (outcome.kind) {
    case "ok":
      audit({ ...entry, status: 200, result: "ok", detail: null });
      return NextResponse.json({ user: outcome.user }, { headers: { "Set-Cookie": sessionCookie(outcome.cookieValue, outcome.maxAgeSeconds, secure(request)), "Cache-Control": "no-store" } });
    case "wrong":
      audit({ ...entry, status: 401, result: "refused", detail: outcome.message });
      return NextResponse.json({ error: { code: "UNAUTHENTICATED", message: outcome.message } }, { status: 401 });
    case "limited":
      audit({ ...entry, status: 429, result: "refused", detail: outcome.message });
      return NextResponse.json({ error: { code: "RATE_LIMITED", message: outcome.message } }, { status: 429, headers: { "Retry-After": String(outcome.retryAfterSeconds) } });
  }
});
