import "server-only";
import { NextResponse } from "next/server";
import { ZodError, type ZodType, type ZodTypeDef } from "zod";
import type { ApiError } from "@/lib/contracts";
import { ServiceError, toServiceError } from "../kafka/errors";

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

/** Wraps a route handler: whatever it throws goes through errorResponse. */
export function handle<C>(fn: (request: Request, context: C) => Promise<Response>) {
  return async (request: Request, context: C): Promise<Response> => {
    try {
      return await fn(request, context);
    } catch (error) {
      return errorResponse(error);
    }
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
  return decodeURIComponent((await params).topic);
}

/** A consumer group id from the route (any string Kafka accepts, URL-encoded in the path). */
export async function groupParam(params: Promise<{ group: string }>): Promise<string> {
  return decodeURIComponent((await params).group);
}
