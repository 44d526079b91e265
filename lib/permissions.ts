import { z } from "zod";

/**
 * What a role may grant. Topic actions are checked against topic name
 * patterns, group actions against group patterns, the rest against the
 * cluster alone. Client-safe: the server enforces with these functions, and
 * the UI uses the same ones to hide what would be refused and say why.
 */
export const ACTIONS = [
  "cluster:view",
  "topics:view",
  "messages:view",
  "messages:produce",
  "topics:create",
  "topics:delete",
  "configs:edit",
  "topics:purge",
  "groups:view",
  "groups:reset-offsets",
  "groups:delete",
  "audit:view",
] as const;
export type Action = (typeof ACTIONS)[number];
export const actionSchema = z.enum(ACTIONS);

/** Actions that change the cluster: refused on a read-only cluster, and written to the audit log. */
export const MUTATING_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  "messages:produce",
  "topics:create",
  "topics:delete",
  "configs:edit",
  "topics:purge",
  "groups:reset-offsets",
  "groups:delete",
]);

const TOPIC_ACTIONS: ReadonlySet<Action> = new Set<Action>(["topics:view", "messages:view", "messages:produce", "topics:create", "topics:delete", "configs:edit", "topics:purge"]);
const GROUP_ACTIONS: ReadonlySet<Action> = new Set<Action>(["groups:view", "groups:reset-offsets", "groups:delete"]);

/** One grant of a role: these actions ("*": all) on clusters, topics and groups whose names match a pattern ("*" matches any run of characters). */
export interface Grant {
  actions: ReadonlyArray<Action | "*">;
  clusters: readonly string[];
  topics: readonly string[];
  groups: readonly string[];
}

/** What the console knows about the one asking, for one cluster: enough to decide every action there. */
export interface Access {
  /** null when the console has no users configured (everyone may do everything the cluster allows). */
  user: string | null;
  roles: readonly string[];
  cluster: string;
  grants: readonly Grant[];
  /** Why the cluster takes no change (global or per-cluster read-only), or null. */
  readOnly: string | null;
}

/** The object an action is about: a topic, a group, or (neither) the cluster. */
export interface Resource {
  topic?: string;
  group?: string;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

const patternCache = new Map<string, RegExp>();

/** True when `name` matches the glob `pattern` ("*" any run of characters, everything else literal). */
export function matchesPattern(pattern: string, name: string): boolean {
  if (pattern === "*") return true;
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
    if (patternCache.size < 1_000) patternCache.set(pattern, re);
  }
  return re.test(name);
}

const anyMatch = (patterns: readonly string[], name: string) => patterns.some((p) => matchesPattern(p, name));

function grantCovers(grant: Grant, action: Action, cluster: string, resource: Resource): boolean {
  if (!grant.actions.includes("*") && !grant.actions.includes(action)) return false;
  if (!anyMatch(grant.clusters, cluster)) return false;
  // On a named topic or group the grant's patterns must match it; a request about none (a list, a broker's configs) needs the cluster only.
  if (resource.topic !== undefined && TOPIC_ACTIONS.has(action)) return anyMatch(grant.topics, resource.topic);
  if (resource.group !== undefined && GROUP_ACTIONS.has(action)) return anyMatch(grant.groups, resource.group);
  return true;
}

function describeResource(cluster: string, resource: Resource): string {
  if (resource.topic !== undefined) return `topic '${resource.topic}' on cluster '${cluster}'`;
  if (resource.group !== undefined) return `group '${resource.group}' on cluster '${cluster}'`;
  return `cluster '${cluster}'`;
}

/** Whether `access` allows `action` on `resource`, and if not, in words that name what is missing. */
export function decide(access: Access, action: Action, resource: Resource = {}): Decision {
  if (MUTATING_ACTIONS.has(action) && access.readOnly) return { allowed: false, reason: access.readOnly };
  if (access.user === null) return { allowed: true };
  if (access.grants.some((g) => grantCovers(g, action, access.cluster, resource))) return { allowed: true };
  const roles = access.roles.length ? `the roles of '${access.user}' (${access.roles.join(", ")})` : `'${access.user}' has no role, so nothing`;
  return { allowed: false, reason: `${roles} grant no ${action} on ${describeResource(access.cluster, resource)}` };
}

export const can = (access: Access, action: Action, resource: Resource = {}): boolean => decide(access, action, resource).allowed;

/** The built-in roles; a configuration may use them as they are or define its own (of another name). */
export const BUILT_IN_ROLES: Record<string, Grant[]> = {
  viewer: [{ actions: ["cluster:view", "topics:view", "messages:view", "groups:view"], clusters: ["*"], topics: ["*"], groups: ["*"] }],
  operator: [
    {
      actions: ["cluster:view", "topics:view", "messages:view", "groups:view", "messages:produce", "topics:create", "configs:edit", "topics:purge", "groups:reset-offsets"],
      clusters: ["*"],
      topics: ["*"],
      groups: ["*"],
    },
  ],
  admin: [{ actions: ["*"], clusters: ["*"], topics: ["*"], groups: ["*"] }],
};

/** The contract of GET /api/session: who is logged in and what they may do on the cluster shown. */
export const sessionInfoSchema = z.object({
  authEnabled: z.boolean(),
  user: z.string().nullable(),
  roles: z.array(z.string()),
  cluster: z.object({ id: z.string(), name: z.string() }),
  access: z.object({
    user: z.string().nullable(),
    roles: z.array(z.string()),
    cluster: z.string(),
    readOnly: z.string().nullable(),
    grants: z.array(z.object({ actions: z.array(z.union([actionSchema, z.literal("*")])), clusters: z.array(z.string()), topics: z.array(z.string()), groups: z.array(z.string()) })),
  }),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;
