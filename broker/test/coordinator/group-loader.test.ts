import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { offsetKey } from "../../src/coordinator/group";
import { replayGroups } from "../../src/coordinator/group-loader";
import type { OffsetsLogEntry } from "../../src/coordinator/offsets-log";
import type { GroupMetadataValue } from "../../src/coordinator/offsets-records";

const offset = (group: string, topic: string, partition: number, value: number | null): OffsetsLogEntry => ({
  kind: "offset",
  group,
  topic,
  partition,
  value: value === null ? null : { offset: value, leaderEpoch: -1, metadata: "", commitTimestampMs: 100, expireTimestampMs: -1 },
});

const metadata = (group: string, value: GroupMetadataValue | null): OffsetsLogEntry => ({ kind: "group", group, value });

const twoMembers: GroupMetadataValue = {
  protocolType: "consumer",
  generation: 7,
  protocol: "range",
  leader: "b",
  currentStateTimestampMs: 500,
  members: ["a", "b"].map((memberId) => ({
    memberId,
    groupInstanceId: null,
    clientId: `client-${memberId}`,
    clientHost: "/127.0.0.1",
    rebalanceTimeoutMs: 30_000,
    sessionTimeoutMs: 10_000,
    subscription: Buffer.from(`sub-${memberId}`),
    assignment: Buffer.from(`asg-${memberId}`),
  })),
};

describe("group loader: replaying an offsets partition", () => {
  it("the last record for a key wins and a tombstone removes it", () => {
    const [group, ...rest] = replayGroups(
      [offset("g", "t", 0, 1), offset("g", "t", 1, 5), offset("g", "t", 0, 2), offset("g", "t", 1, null)],
      3,
      1000,
    );
    assert.equal(rest.length, 0);
    assert.equal(group.groupId, "g");
    assert.equal(group.partition, 3);
    assert.deepEqual([...group.offsets.keys()], [offsetKey("t", 0)]);
    assert.equal(group.offsets.get(offsetKey("t", 0))?.offset, 2);
    assert.equal(group.state.kind, "Empty");
    assert.equal(group.protocolType, null, "a group that only committed has no protocol");
  });

  it("groups left with nothing (every offset and the metadata tombstoned) do not come back", () => {
    const groups = replayGroups([offset("gone", "t", 0, 1), metadata("gone", twoMembers), offset("gone", "t", 0, null), metadata("gone", null), offset("kept", "t", 0, 9)], 0, 0);
    assert.deepEqual(groups.map((g) => g.groupId), ["kept"]);
  });

  it("a stored generation with members comes back Stable with its leader, assignments and state time, and no timers", () => {
    const [group] = replayGroups([metadata("g", { ...twoMembers, members: [] }), metadata("g", twoMembers)], 0, 1000);
    assert.equal(group.state.kind, "Stable");
    assert.equal(group.generationId, 7);
    assert.equal(group.protocolName, "range");
    assert.equal(group.leaderId, "b");
    assert.equal(group.stateChangedMs, 500);
    assert.deepEqual([...group.members.keys()], ["a", "b"]);
    const a = group.members.get("a")!;
    assert.equal(group.metadataOf(a).toString(), "sub-a");
    assert.equal(a.assignment.toString(), "asg-a");
    assert.equal(a.cancelHeartbeat, null, "the coordinator starts sessions, not the loader");
  });

  it("a stored generation without members is Empty, keeping its protocol type", () => {
    const [group] = replayGroups([metadata("g", { ...twoMembers, generation: 3, protocol: null, leader: null, members: [], currentStateTimestampMs: -1 })], 0, 1000);
    assert.equal(group.state.kind, "Empty");
    assert.equal(group.generationId, 3);
    assert.equal(group.protocolType, "consumer");
    assert.equal(group.stateChangedMs, 1000, "no stored state time: the load time");
  });
});
