import "server-only";
import type { SearchField } from "@/lib/contracts";
import type { BrokerAddress } from "../kafka/broker-wire";
import { readPartitionRangeReached, type FetchedRecord, type ReadBudget } from "../kafka/fetch-records";
import type { ClusterClients } from "../kafka/registry";

/** What one search request may spend before it answers with the matches it has. */
export interface SearchLimits {
  /** Records tested against the search text, over all partitions. */
  recordsMax: number;
  fetchBytesMax: number;
  timeMs: number;
}

export const SEARCH_LIMITS: SearchLimits = { recordsMax: 100_000, fetchBytesMax: 128 * 1024 * 1024, timeMs: 2_000 };

/** Records read per step of a partition's scan: few at first so a match near the start answers fast, then more. */
const SCAN_CHUNK_RECORDS_MIN = 100;
const SCAN_CHUNK_RECORDS_MAX = 5_000;

/** A scan's budget: the fetch budget plus the records it may still test. */
export interface ScanBudget extends ReadBudget {
  recordsLeft: number;
}

export const scanBudget = (limits: SearchLimits): ScanBudget => ({
  deadlineMs: Date.now() + limits.timeMs,
  bytesLeft: limits.fetchBytesMax,
  recordsLeft: limits.recordsMax,
  exhausted: false,
});

export type RecordMatcher = (record: FetchedRecord) => boolean;

/**
 * Case-insensitive substring match on the UTF-8 text of whole keys, values and
 * headers (not the 64 KiB previews). Bytes that are not UTF-8 decode to U+FFFD
 * around the valid text, and a payload holding the search text's own bytes
 * matches whatever surrounds them.
 */
export function recordMatcher(text: string, field: SearchField): RecordMatcher {
  const lower = text.toLowerCase();
  const raw = Buffer.from(text, "utf8");
  const bytesMatch = (bytes: Buffer | null) => bytes !== null && (bytes.includes(raw) || bytes.toString("utf8").toLowerCase().includes(lower));
  const inKey: RecordMatcher = (r) => bytesMatch(r.key);
  const inValue: RecordMatcher = (r) => bytesMatch(r.value);
  const inHeaders: RecordMatcher = (r) => r.headers.some((h) => h.key.toLowerCase().includes(lower) || bytesMatch(h.value));
  switch (field) {
    case "key":
      return inKey;
    case "value":
      return inValue;
    case "headers":
      return inHeaders;
    case "any":
      return (r) => inKey(r) || inValue(r) || inHeaders(r);
  }
}

export interface ScanTarget {
  partition: number;
  leader: BrokerAddress;
  low: number;
  high: number;
}

export interface PartitionScan {
  /** Matches in scan order. */
  matches: FetchedRecord[];
  /** Where the next page goes on: the next offset to test (oldest-first) or the end of the untested range below (newest-first). */
  stop: number;
  scanned: number;
}

/**
 * Tests the records of one partition from `position` towards its end
 * (oldest-first) or its start (newest-first) until `want` match or the shared
 * budget runs out. Every record before `stop` in the scan's order was tested.
 */
export async function scanPartition(
  clients: ClusterClients,
  topic: string,
  target: ScanTarget,
  position: number,
  newestFirst: boolean,
  want: number,
  matches: RecordMatcher,
  budget: ScanBudget,
): Promise<PartitionScan> {
  const found: FetchedRecord[] = [];
  let pos = position;
  let scanned = 0;
  let chunk = SCAN_CHUNK_RECORDS_MIN;
  while (found.length < want && (newestFirst ? pos > target.low : pos < target.high)) {
    if (budget.recordsLeft <= 0 || budget.bytesLeft <= 0 || Date.now() >= budget.deadlineMs) {
      budget.exhausted = true;
      break;
    }
    const size = Math.min(chunk, budget.recordsLeft);
    chunk = Math.min(chunk * 2, SCAN_CHUNK_RECORDS_MAX);
    const from = newestFirst ? Math.max(target.low, pos - size) : pos;
    const to = newestFirst ? pos : Math.min(target.high, pos + size);
    const read = await readPartitionRangeReached(clients, target.leader, topic, target.partition, from, to, to - from, budget);
    // Newest-first needs the top of the range; a read cut short (by the budget) left a gap there, so none of it can be used.
    if (newestFirst && read.reachedOffset < to) break;
    let untested: number | null = null;
    for (const record of newestFirst ? read.records.reverse() : read.records) {
      if (found.length >= want || budget.recordsLeft <= 0) {
        untested = record.offset;
        break;
      }
      budget.recordsLeft--;
      scanned++;
      if (matches(record)) found.push(record);
    }
    if (untested !== null) {
      pos = newestFirst ? untested + 1 : untested;
      break;
    }
    const reached = newestFirst ? from : read.reachedOffset;
    // A read that made no progress (the log moved under it) ends this partition's scan for this page.
    if (reached === pos) break;
    pos = reached;
    if (read.reachedOffset < to) break;
  }
  if (found.length < want && budget.recordsLeft <= 0 && (newestFirst ? pos > target.low : pos < target.high)) budget.exhausted = true;
  return { matches: found, stop: pos, scanned };
}
