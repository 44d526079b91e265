import "server-only";
import { ErrorCode } from "@sluice/protocol/errors";

/** Failures services raise on purpose; the error adapter maps each kind to one HTTP status. */
export type ServiceErrorKind = "INVALID_INPUT" | "NOT_FOUND" | "CONFLICT" | "UNAVAILABLE" | "KAFKA_ERROR";

export class ServiceError extends Error {
  constructor(
    readonly kind: ServiceErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

const NOT_FOUND_TYPES = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "UNKNOWN_TOPIC_ID", "GROUP_ID_NOT_FOUND"]);
const CONFLICT_TYPES = new Set(["TOPIC_ALREADY_EXISTS", "NON_EMPTY_GROUP"]);
const INVALID_TYPES = new Set([
  "INVALID_TOPIC_EXCEPTION",
  "INVALID_PARTITIONS",
  "INVALID_REPLICATION_FACTOR",
  "INVALID_CONFIG",
  "INVALID_REQUEST",
  "OFFSET_OUT_OF_RANGE",
  "POLICY_VIOLATION",
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
]);
const UNAVAILABLE_NAMES = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSNonRetriableError",
  "KafkaJSLockTimeout",
]);

/** Finds the Kafka error type (e.g. UNKNOWN_TOPIC_OR_PARTITION) in a kafkajs error or its causes. */
export function kafkaType(error: any): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = e.originalError ?? e.cause, depth++) {
    if (typeof e.type === "string") return e.type;
    if (Array.isArray(e.errors)) for (const inner of e.errors) if (typeof inner?.type === "string") return inner.type;
  }
  return undefined;
}

function isUnavailable(error: any): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = e.originalError ?? e.cause, depth++) {
    if (UNAVAILABLE_NAMES.has(e.name)) {
      // KafkaJSNonRetriableError wraps everything once retries are spent; look at its cause.
      if (e.name !== "KafkaJSNonRetriableError") return true;
    }
    if (e.name === "KafkaJSNumberOfRetriesExceeded" && isUnavailable(e.originalError ?? e.cause)) return true;
    if (typeof e.code === "string" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"].includes(e.code)) return true;
    // kafkajs throws a plain Error("Broker not connected") when a broker it picked is not connected (one that stopped answering).
    if (/Connection (timeout|error)|ECONNREFUSED|Closed connection|failed to connect|Broker not connected/i.test(String(e.message))) return true;
  }
  return false;
}

function fromKafkaType(type: string, message: string): ServiceError | null {
  if (NOT_FOUND_TYPES.has(type)) return new ServiceError("NOT_FOUND", message);
  if (CONFLICT_TYPES.has(type)) return new ServiceError("CONFLICT", message);
  if (INVALID_TYPES.has(type)) return new ServiceError("INVALID_INPUT", message);
  return null;
}

/**
 * The words to show for a failure. kafkajs wraps per-topic failures in an
 * aggregate ("Topic creation errors"); the broker's own messages are inside.
 */
export function errorMessage(error: unknown): string {
  const inner = (error as { errors?: unknown[] })?.errors;
  if (Array.isArray(inner) && inner.length) return inner.map((e) => (e as Error)?.message ?? String(e)).join("; ");
  return (error as Error)?.message ?? String(error);
}

/** Turns whatever a Kafka call threw into a ServiceError, or rethrows it untouched when it is a bug. */
export function toServiceError(error: unknown): ServiceError | unknown {
  if (error instanceof ServiceError) return error;
  const type = kafkaType(error);
  const message = errorMessage(error);
  const known = type ? fromKafkaType(type, message) : null;
  if (known) return known;
  if (isUnavailable(error)) return new ServiceError("UNAVAILABLE", message);
  if (type) return new ServiceError("KAFKA_ERROR", `${type}: ${message}`);
  return error;
}

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** Kafka's name for an error code in a raw response (UNKNOWN_MEMBER_ID ...). */
export const errorCodeName = (code: number) => ERROR_NAMES.get(code) ?? `error code ${code}`;

/** A non-zero error code from a raw response, as the ServiceError a kafkajs failure with that code would give. */
export function errorFromCode(code: number, context: string, brokerMessage?: string | null): ServiceError {
  const type = errorCodeName(code);
  const message = `${context}: ${type}${brokerMessage ? ` (${brokerMessage})` : ""}`;
  return fromKafkaType(type, message) ?? new ServiceError("KAFKA_ERROR", message);
}

/**
 * A topic the cluster does not have. Kafka says UNKNOWN_TOPIC_OR_PARTITION
 * ("This server does not host this topic-partition"), about a partition the
 * user never named; this says which topic.
 */
export const topicNotFound = (topic: string) => new ServiceError("NOT_FOUND", `Topic '${topic}' does not exist.`);

/** kafkaCall for an operation on one named topic: whatever Kafka could not find is that topic. */
export async function topicCall<T>(topic: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const mapped = toServiceError(error);
    throw mapped instanceof ServiceError && mapped.kind === "NOT_FOUND" ? topicNotFound(topic) : mapped;
  }
}

/** Runs a Kafka call, translating its failures; a service wraps each operation in it once. */
export async function kafkaCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toServiceError(error);
  }
}
