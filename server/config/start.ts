import { unauthenticatedAllowed } from "../auth/exposure";
import { ConfigError, loadConsoleConfig } from "./load";
import { consoleConfigSchema, type ConsoleConfig } from "./schema";

/** What the console says at start about its configuration and who may reach it; false (after saying why) when it must not start. */
export function checkConfigAtStart(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): boolean {
  let config: ConsoleConfig;
  try {
    config = loadConsoleConfig(env)?.config ?? consoleConfigSchema.parse({});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[sluice] ${error.message}`);
    return false;
  }
  for (const line of startSummary(config, env)) log(`[sluice] ${line}`);
  return true;
}

export function startSummary(config: ConsoleConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const lines: string[] = [];
  if (env.SLUICE_CONFIG) lines.push(`configuration ${env.SLUICE_CONFIG}: ${config.clusters.length || "no"} cluster(s), ${config.users.length} user(s), ${config.roles.length} role(s) of its own`);
  if (config.users.length > 0 || config.oidc) lines.push(`${config.oidc ? "single sign-on" : "users"} configured: every page and API call needs a login`);
  else if (unauthenticatedAllowed(env)) lines.push("WARNING: no users are configured and SLUICE_ALLOW_UNAUTHENTICATED=true: anyone who reaches this console can change the cluster");
  else lines.push("no users are configured: no login, and the console answers only requests made to a loopback address (localhost, 127.0.0.1, ::1)");
  if (config.readOnly) lines.push("read-only: no change to any cluster from this console");
  return lines;
}
