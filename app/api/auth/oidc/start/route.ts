import { consoleConfig } from "@/server/config/load";
import { OIDC_COOKIE, startLogin } from "@/server/auth/oidc";
import { handle } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** Single sign-on, step 1: ?next=/path → 302 to the provider, with a short-lived signed cookie holding the PKCE verifier, state and nonce. */
export const GET = handle(async (request) => {
  const asked = new URL(request.url).searchParams.get("next") ?? "/";
  const next = asked.startsWith("/") && !asked.startsWith("//") ? asked : "/";
  const { location, cookie } = await startLogin(consoleConfig(), next);
  return new Response(null, {
    status: 302,
    headers: { Location: location, "Set-Cookie": `${OIDC_COOKIE}=${cookie}; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=600`, "Cache-Control": "no-store" },
  });
});
