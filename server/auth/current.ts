import "server-only";
import { headers } from "next/headers";
import type { SessionInfo } from "@/lib/permissions";
import { authEnabled, consoleConfig, defaultClusterId } from "../config/load";
import { sessionIdentity } from "../http/guard";
import { accessFor } from "./access";
import { sessionInfo } from "./session-info";

/** The session of the request being rendered (the shell shows the user and hides what they may not do). */
export async function currentSession(): Promise<SessionInfo> {
  const config = consoleConfig();
  const identity = authEnabled(config) ? sessionIdentity(config, (await headers()).get("cookie")) : null;
  return sessionInfo(accessFor(config, identity?.user ?? null, defaultClusterId(config), identity?.roles), config);
}

/** The nonce of this response's content security policy (set by middleware.ts), for the page's own inline script. */
export async function cspNonce(): Promise<string | undefined> {
  return (await headers()).get("x-nonce") ?? undefined;
}
