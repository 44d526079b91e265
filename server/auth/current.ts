import "server-only";
import { headers } from "next/headers";
import type { Access, SessionInfo } from "@/lib/permissions";
import { authEnabled, consoleConfig, defaultClusterId } from "../config/load";
import { sessionIdentity } from "../http/guard";
import { accessFor } from "./access";
import { sessionInfo } from "./session-info";

/**
 * What the user of the request being rendered may do: the same Access the API
 * guard gives a route, for pages whose server render reads lists (they must
 * leave out what the user may not view, as the API routes do).
 */
export async function currentAccess(): Promise<Access> {
  const config = consoleConfig();
  const identity = authEnabled(config) ? sessionIdentity(config, (await headers()).get("cookie")) : null;
  return accessFor(config, identity?.user ?? null, defaultClusterId(config), identity?.roles);
}

/** The session of the request being rendered (the shell shows the user and hides what they may not do). */
export async function currentSession(): Promise<SessionInfo> {
  return sessionInfo(await currentAccess(), consoleConfig());
}

/** The nonce of this response's content security policy (set by middleware.ts), for the page's own inline script. */
export async function cspNonce(): Promise<string | undefined> {
  return (await headers()).get("x-nonce") ?? undefined;
}
