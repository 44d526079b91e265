import "server-only";
import { NextResponse } from "next/server";
import { ZodError, type ZodType, type ZodTypeDef } from "zod";
import type { ApiError } from "@/lib/contracts";
import { MUTATING_ACTIONS, type Access } from "@/lib/permissions";
import { auditStore } from "../audit";
import { consoleConfig, defaultClusterId } from "../config/load";
import { ServiceError, toServiceError } from "../kafka/errors";
import { clusterClients, type ClusterClients } from "../kafka/registry";
import { API_RULES, type AccessRule } from "./access-rules";
import { AccessError, guard, isMutatingMethod } from "./guard";

const STATUS: Record<ServiceError["kind"], number> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  KAFKA_ERROR: 502,
};

function body(code: ApiError["error"]["code"], message: string, field?: string): ApiError {
  return { error: { code, message, ...(field ? { field } : {}) } };
}

/** The one place errors become HTTP responses: invalid input 400 naming the field, unknown 404, unreachable 503. */
export function errorResponse(error: unknown): NextResponse<ApiError> {
  if (error instanceof AccessError)
    return NextResponse.json(body(error.code, error.message), { status: error.status, headers: error.missing ? { "X-Sluice-Missing-Permission": error.missing } : undefined });
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue.path.join(".") || undefined;
    return NextResponse.json(body("INVALID_INPUT", field ? `${field}: ${issue.message}` : issue.message, field), { status: 400 });
  }
  const mapped = toServiceError(error);
  if (mapped instanceof ServiceError) return NextResponse.json(body(mapped.kind, mapped.message, mapped.field), { status: STATUS[mapped.kind] });
  console.error("unexpected error in a route handler", error);
  return NextResponse.json(body("INTERNAL", "unexpected server error; see the console's log"), { status: 500 });
}

/** What a handler gets from the guard: the cluster to call, explicitly, and who asks with what they may do. */
export interface RequestScope {
  clusterId: string;
  clients: ClusterClients;
  user: string | null;
  access: Access;
}

/** The client's address as the server saw it (Next.js puts the socket's in x-forwarded-for unless a proxy set it). */
export const clientAddress = (request: Request) => request.headers.get("x-forwarded-for")?.split(",")[0].trim() || null;

/** Writes one audit entry; a failing audit write is logged, never the reason a request fails. */
export function audit(entry: {
  request: Request;
  user: string | null;
  cluster: string;
  action: string;
  target: string | null;
  status: number;
  result: "ok" | "failed" | "refused";
  detail: string | null;
}): void {
  try {
    const { pathname } = new URL(entry.request.url);
    auditStore().append({
      atMs: Date.now(),
      user: entry.user,
      address: clientAddress(entry.request),
      cluster: entry.cluster,
      action: entry.action,
      target: entry.target,
      method: entry.request.method,
      path: pathname,
      status: entry.status,
      result: entry.result,
      detail: entry.detail,
    });
  } catch (error) {
    console.error("the audit log could not be written", error);
  }
}

/** Changes are audited, allowed or not; a preview (changes nothing) and the login routes (they audit themselves) are not. */
const audited = (request: Request, rule: AccessRule | undefined) => isMutatingMethod(request.method) && !rule?.public && !rule?.preview && (!rule?.action || MUTATING_ACTIONS.has(rule.action));

async function errorDetail(response: Response): Promise<string | null> {
  if (response.status < 400) return null;
  const json = (await response
    .clone()
    .json()
    .catch(() => null)) as ApiError | null;
  return json?.error?.message ?? null;
}

/**
 * Wraps a route handler: the one place every API request passes. The guard
 * (loopback rule, cross-site check, session, permission; see guard.ts and the
 * table in access-rules.ts) runs before the handler, so before any Kafka call;
 * a refusal is a 401 or a 403 naming the missing permission. Changes are
 * written to the audit log with their result. Whatever the handler throws
 * goes through errorResponse.
 */
export function handle<C>(fn: (request: Request, context: C, scope: RequestScope) => Promise<Response>) {
  return async (request: Request, context: C): Promise<Response> => {
    let rule: AccessRule | undefined;
    let scope: RequestScope;
    let target: string | null;
    let clusterId = "default";
    try {
      const config = consoleConfig();
      clusterId = defaultClusterId(config);
      const guarded = await guard(request, config, clusterId, API_RULES);
      rule = guarded.rule;
      target = guarded.resource.topic ?? guarded.resource.group ?? null;
      scope = { clusterId, clients: clusterClients(), user: guarded.caller.user, access: guarded.caller.access };
    } catch (error) {
      const response = errorResponse(error);
      const known = error instanceof AccessError ? error.guarded : undefined;
      rule = known?.rule;
      target = known ? (known.resource.topic ?? known.resource.group ?? null) : null;
      if (audited(request, rule))
        audit({ request, user: known?.caller.user ?? null, cluster: clusterId, action: rule?.action ?? "unknown", target, status: response.status, result: "refused", detail: error instanceof Error ? error.message : null });
      return response;
    }
    let response: Response;
    try {
      response = await fn(request, context, scope);
    } catch (error) {
      response = errorResponse(error);
    }
    if (audited(request, rule))
      audit({ request, user: scope.user, cluster: clusterId, action: rule.action ?? "unknown", target, status: response.status, result: response.status < 400 ? "ok" : "failed", detail: await errorDetail(response) });
    return response;
  };
}

/** Query parameters as a plain object, parsed with a contract. */
export function parseQuery<T>(request: Request, schema: ZodType<T, ZodTypeDef, unknown>): T {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return schema.parse(params);
}

/** A JSON body parsed with a contract; a body that is not JSON is a 400. */
export async function parseBody<T>(request: Request, schema: ZodType<T, ZodTypeDef, unknown>): Promise<T> {
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    throw new ServiceError("INVALID_INPUT", "the request body is not JSON", "body");
  }
  return schema.parse(json);
}

/** Route params arrive URL-decoded by Next.js; the topic name is checked by the service (404 from Kafka). */
export async function topicParam(params: Promise<{ topic: string }>): Promise<string> {
  return (await params).topic;
}

/**
 * The group id of an /api/groups/<id>/... request, decoded exactly once from
 * the raw request path. Unlike topic names, group ids may hold any character,
 * "%" and "/" included ("a%2541" must reach Kafka as "a%41"), so this does not
 * depend on how a Next.js version pre-decodes route params.
 */
export function groupParam(request: Request): string {
  const segments = new URL(request.url).pathname.split("/");
  const at = segments.indexOf("groups");
  if (at < 0 || !segments[at + 1]) throw new ServiceError("INVALID_INPUT", "no group id in the path", "group");
  return decodeURIComponent(segments[at + 1]);
}
