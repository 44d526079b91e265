import type { ZodType, ZodTypeDef } from "zod";
import { apiErrorSchema, type ApiError } from "./contracts";

/** A failed API call, carrying the HTTP status and the error body of the route handler. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError["error"],
  ) {
    super(error.message);
    this.name = "ApiRequestError";
  }
  get field(): string | undefined {
    return this.error.field;
  }
}

/** Fetches a console API route and validates the answer against its contract. */
export async function apiFetch<T>(path: string, schema: ZodType<T, ZodTypeDef, unknown> | null, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { "content-type": "application/json", ...init?.headers }, cache: "no-store" });
  } catch {
    throw new ApiRequestError(0, { code: "UNAVAILABLE", message: "the console server cannot be reached" });
  }
  if (!response.ok) {
    const parsed = apiErrorSchema.safeParse(await response.json().catch(() => null));
    throw new ApiRequestError(
      response.status,
      parsed.success ? parsed.data.error : { code: "INTERNAL", message: `${response.status} ${response.statusText}` },
    );
  }
  if (schema === null || response.status === 204) return undefined as T;
  return schema.parse(await response.json());
}

export const jsonBody = (value: unknown): RequestInit => ({ body: JSON.stringify(value) });
