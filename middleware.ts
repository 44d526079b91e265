import { randomBytes } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { authEnabled, ConfigError, consoleConfig, defaultClusterId } from "@/server/config/load";
import { PAGE_RULES } from "@/server/http/access-rules";
import { AccessError, guard } from "@/server/http/guard";

/**
 * Every request but Next.js's static files passes here. Pages are guarded with
 * the same guard and table as the API (server/http/), before their server
 * render calls any service: no session → the login page (401); not allowed → 403.
 * API routes are guarded by their handler wrapper (server/http/route.ts),
 * which also writes the audit log. Every response gets the content security
 * policy, with a fresh nonce Next.js puts on its own scripts.
 */
export const config = {
  runtime: "nodejs",
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};

function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonced ones load run too; no inline script without the nonce. Development's fast refresh needs eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React's style attributes (widths of bars, virtual rows) are inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function withHeaders(response: NextResponse, csp: string): NextResponse {
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

/**
 * The response of another page of this console at the URL asked for (a
 * rewrite, not a redirect: Next.js turns a redirect's Location into
 * "localhost" when the console listens on 127.0.0.1, and the browser would
 * lose its cookies there). The login page, shown at /topics/x, sends the user
 * back to /topics/x once logged in.
 */
function showPage(request: NextRequest, headers: Headers, pathname: string, params: Record<string, string>, status: number): NextResponse {
  const url = request.nextUrl.clone();
  url.pathname = pathname;
  url.search = new URLSearchParams(params).toString();
  return NextResponse.rewrite(url, { status, request: { headers } });
}

export async function middleware(request: NextRequest): Promise<NextResponse> {
  const nonce = randomBytes(16).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const { pathname, search } = request.nextUrl;
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  // Next.js reads the nonce for its own scripts from the request's policy.
  headers.set("Content-Security-Policy", csp);
  const page = !pathname.startsWith("/api/") && pathname !== "/metrics";
  if (page) {
    try {
      const settings = consoleConfig();
      await guard(request, settings, defaultClusterId(settings), PAGE_RULES);
      if (pathname === "/login" && !authEnabled(settings)) return withHeaders(showPage(request, headers, "/", {}, 200), csp);
    } catch (error) {
      if (error instanceof AccessError && error.status === 401) {
        return withHeaders(showPage(request, headers, "/login", { next: `${pathname}${search}` }, 401), csp);
      }
      if (error instanceof AccessError) {
        return withHeaders(showPage(request, headers, "/forbidden", { reason: error.message }, 403), csp);
      }
      const message = error instanceof ConfigError ? error.message : "the console could not check this request; see its log";
      if (!(error instanceof ConfigError)) console.error("the page guard failed", error);
      return withHeaders(new NextResponse(message, { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } }), csp);
    }
  }
  return withHeaders(NextResponse.next({ request: { headers } }), csp);
}
