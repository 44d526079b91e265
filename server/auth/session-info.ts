import type { Access, SessionInfo } from "@/lib/permissions";
import { authEnabled, consoleConfig } from "../config/load";
import type { ConsoleConfig } from "../config/schema";

/** The contract of GET /api/session (and of the shell's server render) for an access. */
export function sessionInfo(access: Access, config: ConsoleConfig = consoleConfig()): SessionInfo {
  const entry = config.clusters.find((c) => c.id === access.cluster);
  return {
    authEnabled: authEnabled(config),
    user: access.user,
    roles: [...access.roles],
    cluster: { id: access.cluster, name: entry?.name ?? access.cluster },
    access: { user: access.user, roles: [...access.roles], cluster: access.cluster, readOnly: access.readOnly, grants: access.grants.map((g) => ({ actions: [...g.actions], clusters: [...g.clusters], topics: [...g.topics], groups: [...g.groups] })) },
  };
}
