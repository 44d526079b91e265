import { ErrorCode, KafkaError, type ErrorCodeName } from "../protocol/errors";
import type { NodeServices } from "./node-services";
import type { ConnectionInfo } from "../net/connection";

export interface RequestContext {
  readonly services: NodeServices;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connection: ConnectionInfo;
}

/**
 * One Kafka API. Each handler file declares the versions it serves;
 * ApiVersions is computed from these declarations.
 */
export interface ApiHandler<Request = any, Response = any> {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** null means the request gets no response (produce with acks=0). */
  handle(request: Request, context: RequestContext): Response | null | Promise<Response | null>;
}

/** Narrows the request/response types while keeping the literal handler object. */
export function defineHandler<Request, Response>(handler: ApiHandler<Request, Response>): ApiHandler<Request, Response> {
  return handler;
}

/**
 * Maps a failure while serving one partition or resource to its Kafka error
 * code and message. Expected failures are KafkaErrors; anything else is a bug
 * or an I/O failure, logged here and reported as `fallback`.
 */
export function errorOf(
  error: unknown,
  context: RequestContext,
  fallback: ErrorCodeName = "UNKNOWN_SERVER_ERROR",
): { errorCode: number; errorMessage: string } {
  if (error instanceof KafkaError) return { errorCode: error.code, errorMessage: error.message };
  context.services.logger.error("request failed", { apiVersion: context.apiVersion, correlationId: context.correlationId, error });
  return { errorCode: ErrorCode[fallback], errorMessage: error instanceof Error ? error.message : String(error) };
}
