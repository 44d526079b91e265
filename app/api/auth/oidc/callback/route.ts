import { consoleConfig } from "@/server/config/load";
import { finishLogin, OIDC_COOKIE } from "@/server/auth/oidc";
import { sessionCookie } from "@/server/auth/session";
import { audit, handle } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** Single sign-on, step 2: the provider sends the browser back here with a code; 303 to where the login started, with the session cookie. Audited either way. */
export const GET = handle(async (request, _context, { clusterId }) => {
  const secure = new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  const entry = { request, cluster: clusterId, action: "auth:login", target: "oidc" };
  try {
    const login = await finishLogin(consoleConfig(), new URL(request.url).search, request.headers.get("cookie"));
    audit({ ...entry, user: login.user, status: 303, result: "ok", detail: `single sign-on; roles: ${login.roles.join(", ") || "none"}` });
    const headers = new Headers({ Location: login.next, "Cache-Control": "no-store" });
    headers.append("Set-Cookie", sessionCookie(login.sessionValue, login.maxAgeSeconds, secure));
    headers.append("Set-Cookie", `${OIDC_COOKIE}=; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=0`);
    return new Response(null, { status: 303, headers });
  } catch (error) {
    audit({ ...entry, user: null, status: 400, result: "refused", detail: error instanceof Error ? error.message : String(error) });
    throw error;
  }
});
