import "server-only";
import { consoleConfig } from "../config/load";
import type { RequestScope } from "../http/route";
import type { Message, Payload, SearchField } from "@/lib/contracts";
import { recordMatcher } from "../services/search-records";
import { maskerFor, type Masker } from "./mask";

/** The masking of records of `topic` for the caller of this request (the route handlers of every path that returns records use it). */
export function maskerForRequest(scope: RequestScope, topic: string): Masker | null {
  return maskerFor(consoleConfig(), scope.clusterId, topic, scope.access.roles);
}

const bytes = (p: Payload | null) => (p === null ? null : Buffer.from(p.base64, "base64"));

/**
 * The masked messages of a search (browse or live tail with `q`) that still
 * match it once masked. The server searched the records as stored, so
 * without this a search for a hidden value would tell, by what it returns,
 * that the value is there.
 */
export function maskedMatches(messages: Message[], masker: Masker, search: { q?: string; in: SearchField }): Message[] {
  const masked = messages.map(masker.message);
  if (!search.q) return masked;
  const matches = recordMatcher(search.q, search.in);
  return masked.filter((m) => matches({ partition: m.partition, offset: m.offset, timestamp: m.timestamp, key: bytes(m.key), value: bytes(m.value), headers: m.headers.map((h) => ({ key: h.key, value: bytes(h.value) })) }));
}
