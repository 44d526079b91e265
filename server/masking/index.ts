import "server-only";
import { consoleConfig } from "../config/load";
import type { RequestScope } from "../http/route";
import { maskerFor, type Masker } from "./mask";

/** The masking of records of `topic` for the caller of this request (the route handlers of every path that returns records use it). */
export function maskerForRequest(scope: RequestScope, topic: string): Masker | null {
  return maskerFor(consoleConfig(), scope.clusterId, topic, scope.access.roles);
}
