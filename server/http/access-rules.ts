import type { Action, Resource } from "@/lib/permissions";
import type { ConsoleConfig } from "../config/schema";

/**
 * What each request needs, by method and path: the one table both the API
 * guard (server/http/route.ts) and the page middleware read. A request no
 * rule matches is refused, so a new route cannot be served unguarded.
 * `action: null` needs a login (when users are configured) and nothing more;
 * `public` needs not even that.
 */
export interface AccessRule {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "*";
  path: RegExp;
  action: Action | null;
  public?: true;
  /** Public when the configuration says so. */
  publicIf?: (config: ConsoleConfig) => boolean;
  /** Changes nothing though sent as a POST (not audited). */
  preview?: true;
  /** The topic or group the request is about, from the path's (still encoded) segments or the body. */
  resource?: (match: RegExpMatchArray, request: Request) => Resource | Promise<Resource>;
}

const segment = (raw: string) => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};
const topic = (m: RegExpMatchArray): Resource => ({ topic: segment(m[1]) });
const group = (m: RegExpMatchArray): Resource => ({ group: segment(m[1]) });
/** The name a POST /api/topics would create; a body that is not JSON names none (the route answers 400). */
const createdTopic = async (_m: RegExpMatchArray, request: Request): Promise<Resource> => {
  const body = (await request
    .clone()
    .json()
    .catch(() => null)) as { name?: unknown } | null;
  return typeof body?.name === "string" ? { topic: body.name } : {};
};

const T = "/api/topics/([^/]+)";
const G = "/api/groups/([^/]+)";
const re = (source: string) => new RegExp(`^${source}/?$`);

export const API_RULES: readonly AccessRule[] = [
  { method: "POST", path: re("/api/auth/login"), action: null, public: true },
  { method: "POST", path: re("/api/auth/logout"), action: null, public: true },
  { method: "GET", path: re("/api/auth/oidc/(?:start|callback)"), action: null, public: true },
  { method: "GET", path: re("/api/session"), action: null },
  { method: "GET", path: re("/api/openapi.json"), action: null },
  { method: "GET", path: re("/api/audit"), action: "audit:view" },
  { method: "GET", path: re("/api/cluster"), action: "cluster:view" },
  { method: "GET", path: re("/api/cluster/quorum"), action: "cluster:view" },
  { method: "GET", path: re("/api/brokers"), action: "cluster:view" },
  { method: "GET", path: re("/api/brokers/[^/]+/configs"), action: "cluster:view" },
  { method: "PATCH", path: re("/api/brokers/[^/]+/configs"), action: "configs:edit" },
  { method: "GET", path: re("/api/topics"), action: "topics:view" },
  { method: "POST", path: re("/api/topics"), action: "topics:create", resource: createdTopic },
  { method: "GET", path: re("/api/topic-trends"), action: "topics:view" },
  { method: "GET", path: re(T), action: "topics:view", resource: topic },
  { method: "DELETE", path: re(T), action: "topics:delete", resource: topic },
  { method: "GET", path: re(`${T}/configs`), action: "topics:view", resource: topic },
  { method: "PATCH", path: re(`${T}/configs`), action: "configs:edit", resource: topic },
  { method: "GET", path: re(`${T}/messages`), action: "messages:view", resource: topic },
  { method: "POST", path: re(`${T}/messages`), action: "messages:produce", resource: topic },
  { method: "POST", path: re(`${T}/partitions`), action: "configs:edit", resource: topic },
  { method: "POST", path: re(`${T}/purge`), action: "topics:purge", resource: topic },
  { method: "GET", path: re(`${T}/rate`), action: "topics:view", resource: topic },
  { method: "GET", path: re(`${T}/records/[^/]+/[^/]+`), action: "messages:view", resource: topic },
  { method: "GET", path: re(`${T}/tail`), action: "messages:view", resource: topic },
  { method: "GET", path: re("/api/groups"), action: "groups:view" },
  { method: "GET", path: re("/api/group-list"), action: "groups:view" },
  { method: "GET", path: re(G), action: "groups:view", resource: group },
  { method: "DELETE", path: re(G), action: "groups:delete", resource: group },
  { method: "GET", path: re(`${G}/lag`), action: "groups:view", resource: group },
  { method: "GET", path: re(`${G}/status`), action: "groups:view", resource: group },
  // A preview changes nothing, but shows what a reset would do: it needs the right to reset.
  { method: "POST", path: re(`${G}/offsets/preview`), action: "groups:reset-offsets", resource: group, preview: true },
  { method: "PUT", path: re(`${G}/offsets`), action: "groups:reset-offsets", resource: group },
  // Prometheus cannot log in: auth.publicMetrics serves it without one.
  { method: "GET", path: re("/metrics"), action: "cluster:view", publicIf: (config) => config.auth.publicMetrics },
  // No rule for the rest of /api: a route served through handle() without a rule of its own is refused (the
  // catch-all's 404 for unknown paths does not pass through the guard).
];

/** Pages, checked by the middleware before the page's server render calls any service. */
export const PAGE_RULES: readonly AccessRule[] = [
  { method: "GET", path: re("/login"), action: null, public: true },
  { method: "GET", path: re("/forbidden"), action: null },
  { method: "GET", path: /^\/$/, action: "cluster:view" },
  { method: "GET", path: re("/brokers(?:/[^/]+)?"), action: "cluster:view" },
  { method: "GET", path: re("/topics"), action: "topics:view" },
  { method: "GET", path: re("/topics/([^/]+)"), action: "topics:view", resource: topic },
  { method: "GET", path: re("/topics/([^/]+)/produce"), action: "messages:produce", resource: topic },
  { method: "GET", path: re("/groups"), action: "groups:view" },
  { method: "GET", path: re("/groups/([^/]+)"), action: "groups:view", resource: group },
  { method: "GET", path: re("/audit"), action: "audit:view" },
  { method: "GET", path: re("/metrics"), action: "cluster:view", publicIf: (config) => config.auth.publicMetrics },
  // Any other page is a 404: a login is enough to see it.
  { method: "*", path: /^\//, action: null },
];

/** The first rule for this method and path; null when none (refused). */
export function ruleFor(rules: readonly AccessRule[], method: string, pathname: string): { rule: AccessRule; match: RegExpMatchArray } | null {
  const verb = method === "HEAD" ? "GET" : method;
  for (const rule of rules) {
    if (rule.method !== "*" && rule.method !== verb) continue;
    const match = pathname.match(rule.path);
    if (match) return { rule, match };
  }
  return null;
}
