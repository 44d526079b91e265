import { BUILT_IN_ROLES, type Access, type Grant } from "@/lib/permissions";
import type { ConsoleConfig } from "../config/schema";

/** The grants of each role name, the configuration's own first, then the built-in ones. */
function roleGrants(config: ConsoleConfig, role: string): readonly Grant[] {
  return config.roles.find((r) => r.name === role)?.grants ?? BUILT_IN_ROLES[role] ?? [];
}

/** Why a cluster takes no change, or null. */
export function readOnlyReason(config: ConsoleConfig, clusterId: string): string | null {
  if (config.readOnly) return "the console is read-only (readOnly in its configuration)";
  if (config.clusters.find((c) => c.id === clusterId)?.readOnly) return `the cluster '${clusterId}' is read-only (clusters.readOnly in the configuration)`;
  return null;
}

/**
 * What `user` (null: no users configured) may do on `clusterId`: a local
 * user's roles come from the configuration, a single sign-on user's from the
 * session (`sessionRoles`, mapped from the provider's groups at login).
 */
export function accessFor(config: ConsoleConfig, user: string | null, clusterId: string, sessionRoles?: readonly string[]): Access {
  const readOnly = readOnlyReason(config, clusterId);
  if (user === null) return { user: null, roles: [], cluster: clusterId, grants: [], readOnly };
  const roles = sessionRoles ? [...sessionRoles] : (config.users.find((u) => u.username === user)?.roles ?? []);
  return { user, roles, cluster: clusterId, grants: roles.flatMap((r) => roleGrants(config, r)), readOnly };
}
