import { decide, type Access, type Action, type Resource } from "@/lib/permissions";
import { accessFor } from "../auth/access";
import { isLoopbackHost, unauthenticatedAllowed } from "../auth/exposure";
import { decodeSession, readCookie, SESSION_COOKIE, sessionSecret } from "../auth/session";
import { authEnabled } from "../config/load";
import type { ConsoleConfig } from "../config/schema";
import { ruleFor, type AccessRule } from "./access-rules";

/** A request the guard refuses: 401 (no valid session), 403 (not allowed, cross-site, not on loopback). */
export class AccessError extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly code: "UNAUTHENTICATED" | "FORBIDDEN",
    message: string,
    /** The action that was missing, for a 403 about permissions. */
    readonly missing?: Action,
  ) {
    super(message);
  }

  /** What the guard knew when it refused (absent when no rule matched), for the audit log. */
  guarded?: Guarded;
}

/** Who asks and what they may do, as the guard established it before the handler runs. */
export interface Caller {
  user: string | null;
  access: Access;
}

export interface Guarded {
  caller: Caller;
  rule: AccessRule;
  resource: Resource;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export const isMutatingMethod = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/**
 * The logged-in user of a request: a valid, unexpired session of a user the
 * configuration still lists, or of a single sign-on user (with the roles the
 * session carries) while single sign-on is configured.
 */
export function sessionIdentity(config: ConsoleConfig, cookieHeader: string | null, nowMs = Date.now()): { user: string; roles?: string[] } | null {
  const session = decodeSession(readCookie(cookieHeader, SESSION_COOKIE), sessionSecret(config), nowMs);
  if (!session) return null;
  if (session.roles) return config.oidc ? { user: session.user, roles: session.roles } : null;
  return config.users.some((u) => u.username === session.user) ? { user: session.user } : null;
}

export const sessionUser = (config: ConsoleConfig, cookieHeader: string | null, nowMs = Date.now()) => sessionIdentity(config, cookieHeader, nowMs)?.user ?? null;

/**
 * A change sent from another site (a form or fetch on a page elsewhere riding
 * on the session cookie): its Origin names another host than the one it was
 * sent to. Without Origin, Sec-Fetch-Site tells; requests from tools send
 * neither and are not cross-site.
 */
export function crossSiteProblem(request: Request, config: ConsoleConfig): string | null {
  const origin = request.headers.get("origin");
  const host = request.headers.get("host") ?? new URL(request.url).host;
  if (origin) {
    let parsed: URL | null = null;
    try {
      parsed = origin === "null" ? null : new URL(origin);
    } catch {
      parsed = null;
    }
    if (parsed && (parsed.host === host || config.auth.allowedOrigins.some((o) => new URL(o).origin === parsed.origin))) return null;
    return `a change sent from ${origin} to ${host} is refused: only the console's own pages may send changes (add the origin to auth.allowedOrigins behind a proxy)`;
  }
  if (request.headers.get("sec-fetch-site") === "cross-site") return `a change sent from another site to ${host} is refused`;
  return null;
}

/** With no users configured, a request whose Host is not loopback is refused unless SLUICE_ALLOW_UNAUTHENTICATED=true (this also stops DNS rebinding). */
export function exposureProblem(request: Request, config: ConsoleConfig): string | null {
  if (authEnabled(config) || unauthenticatedAllowed()) return null;
  const host = request.headers.get("host");
  if (host === null || isLoopbackHost(host)) return null;
  return `this console has no users configured, so it serves only on loopback (asked for ${host}); configure users in SLUICE_CONFIG or set SLUICE_ALLOW_UNAUTHENTICATED=true`;
}

/**
 * Everything a request must pass before its handler runs, and so before any
 * call to Kafka: the loopback rule, the cross-site check of changes, the
 * session, and the permission its rule names on its topic or group.
 */
export async function guard(request: Request, config: ConsoleConfig, clusterId: string, rules: readonly AccessRule[]): Promise<Guarded> {
  const { pathname } = new URL(request.url);
  const found = ruleFor(rules, request.method, pathname);
  if (!found) throw new AccessError(403, "FORBIDDEN", `no access rule covers ${request.method} ${pathname}`);
  const { rule, match } = found;
  const identity = authEnabled(config) ? sessionIdentity(config, request.headers.get("cookie")) : null;
  const user = identity?.user ?? null;
  const caller: Caller = { user, access: accessFor(config, user, clusterId, identity?.roles) };
  const resource = rule.resource ? await rule.resource(match, request) : {};
  const guarded: Guarded = { caller, rule, resource };
  const refuse = (status: 401 | 403, code: AccessError["code"], message: string, missing?: Action) => {
    throw Object.assign(new AccessError(status, code, message, missing), { guarded });
  };
  const exposure = exposureProblem(request, config);
  if (exposure) refuse(403, "FORBIDDEN", exposure);
  if (isMutatingMethod(request.method)) {
    const crossSite = crossSiteProblem(request, config);
    if (crossSite) refuse(403, "FORBIDDEN", crossSite);
  }
  if (rule.public || rule.publicIf?.(config)) return guarded;
  if (authEnabled(config) && user === null) refuse(401, "UNAUTHENTICATED", "log in first: POST /api/auth/login, or the login page");
  if (rule.action) {
    const decision = decide(caller.access, rule.action, resource);
    if (!decision.allowed) refuse(403, "FORBIDDEN", `missing permission ${rule.action}: ${decision.reason}`, rule.action);
  }
  return guarded;
}
