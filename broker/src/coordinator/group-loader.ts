import { Group, offsetKey, type CommittedOffset, type Member } from "./group";
import type { OffsetsLogEntry } from "./offsets-log";
import type { GroupMetadataValue } from "./offsets-records";

/**
 * Rebuilds the groups of one __consumer_offsets partition from its records
 * in log order: the last record for a key wins and a tombstone removes it.
 * A group with stored members comes back Stable in its generation; the
 * caller starts their session timers (members that still live go on
 * heartbeating, the rest time out). Writes nothing and schedules nothing.
 */
export function replayGroups(entries: Iterable<OffsetsLogEntry>, partition: number, nowMs: number): Group[] {
  const offsets = new Map<string, Map<string, CommittedOffset>>();
  const metadata = new Map<string, GroupMetadataValue>();
  for (const entry of entries) {
    if (entry.kind === "offset") {
      let byKey = offsets.get(entry.group);
      if (!byKey) offsets.set(entry.group, (byKey = new Map()));
      if (entry.value) byKey.set(offsetKey(entry.topic, entry.partition), { ...entry.value });
      else byKey.delete(offsetKey(entry.topic, entry.partition));
    } else if (entry.value) metadata.set(entry.group, entry.value);
    else metadata.delete(entry.group);
  }
  const groups: Group[] = [];
  for (const groupId of new Set([...offsets.keys(), ...metadata.keys()])) {
    const value = metadata.get(groupId);
    const committed = offsets.get(groupId);
    if (!value && (!committed || committed.size === 0)) continue;
    const group = new Group(groupId, partition, nowMs);
    for (const [key, offset] of committed ?? []) group.offsets.set(key, offset);
    if (value) restoreMetadata(group, value, nowMs);
    groups.push(group);
  }
  return groups;
}

function restoreMetadata(group: Group, value: GroupMetadataValue, nowMs: number): void {
  group.generationId = value.generation;
  group.protocolType = value.protocolType;
  group.protocolName = value.protocol;
  group.stateChangedMs = value.currentStateTimestampMs >= 0 ? value.currentStateTimestampMs : nowMs;
  if (value.members.length === 0) return;
  for (const stored of value.members) {
    const member: Member = {
      memberId: stored.memberId,
      groupInstanceId: stored.groupInstanceId,
      clientId: stored.clientId,
      clientHost: stored.clientHost,
      rebalanceTimeoutMs: stored.rebalanceTimeoutMs,
      sessionTimeoutMs: stored.sessionTimeoutMs,
      protocolType: value.protocolType,
      protocols: [{ name: value.protocol ?? "", metadata: stored.subscription }],
      assignment: stored.assignment,
      awaitingJoin: null,
      awaitingSync: null,
      cancelHeartbeat: null,
    };
    group.addMember(member);
  }
  group.leaderId = value.leader && group.members.has(value.leader) ? value.leader : group.leaderId;
  // Set directly, not by transition: a loaded generation resumes where it was, Stable.
  group.state = { kind: "Stable" };
}
