// Keys and values of the records in __consumer_offsets, in Kafka's layouts
// (OffsetCommitKey v1, GroupMetadataKey v2, OffsetCommitValue v0-4,
// GroupMetadataValue v0-3). The specs directory this repository generates
// from does not ship these "data" messages, so they are written out here;
// tools that read __consumer_offsets (kafka-consumer-groups, lag exporters)
// decode them the same way.
import { ProtocolError } from "../protocol/errors";
import { Reader } from "../protocol/reader";
import { Writer } from "../protocol/writer";

export type OffsetsRecordKey =
  | { kind: "offset"; group: string; topic: string; partition: number }
  | { kind: "group"; group: string };

export interface OffsetCommitValue {
  offset: number;
  /** -1 when the client did not say. */
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  /** Only in value version 1 (clients that asked for a retention time); -1 otherwise. */
  expireTimestampMs: number;
}

export interface GroupMemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestampMs: number;
  members: GroupMemberValue[];
}

const OFFSET_KEY_VERSION = 1;
const GROUP_KEY_VERSION = 2;
const OFFSET_VALUE_VERSION = 3;
const GROUP_VALUE_VERSION = 3;

export function encodeOffsetKey(group: string, topic: string, partition: number): Buffer {
  return new Writer(64).writeInt16(OFFSET_KEY_VERSION).writeString(group).writeString(topic).writeInt32(partition).toBuffer();
}

export function encodeGroupKey(group: string): Buffer {
  return new Writer(32).writeInt16(GROUP_KEY_VERSION).writeString(group).toBuffer();
}

export function decodeKey(key: Buffer): OffsetsRecordKey {
  const r = new Reader(key);
  const version = r.readInt16();
  if (version === 0 || version === 1) return { kind: "offset", group: r.readString(), topic: r.readString(), partition: r.readInt32() };
  if (version === 2) return { kind: "group", group: r.readString() };
  throw new ProtocolError(`__consumer_offsets: unknown key version ${version}`);
}

export function encodeOffsetValue(value: OffsetCommitValue): Buffer {
  const w = new Writer(64);
  if (value.expireTimestampMs >= 0) {
    // Version 1 is the only layout with an explicit expiry (OffsetCommit v2-4 retention).
    return w
      .writeInt16(1)
      .writeInt64(BigInt(value.offset))
      .writeString(value.metadata)
      .writeInt64(BigInt(value.commitTimestampMs))
      .writeInt64(BigInt(value.expireTimestampMs))
      .toBuffer();
  }
  return w
    .writeInt16(OFFSET_VALUE_VERSION)
    .writeInt64(BigInt(value.offset))
    .writeInt32(value.leaderEpoch)
    .writeString(value.metadata)
    .writeInt64(BigInt(value.commitTimestampMs))
    .toBuffer();
}

export function decodeOffsetValue(buffer: Buffer): OffsetCommitValue {
  const r = new Reader(buffer);
  const version = r.readInt16();
  switch (version) {
    case 0:
    case 2:
      return { offset: Number(r.readInt64()), leaderEpoch: -1, metadata: r.readString(), commitTimestampMs: Number(r.readInt64()), expireTimestampMs: -1 };
    case 1:
      return {
        offset: Number(r.readInt64()),
        leaderEpoch: -1,
        metadata: r.readString(),
        commitTimestampMs: Number(r.readInt64()),
        expireTimestampMs: Number(r.readInt64()),
      };
    case 3:
      return { offset: Number(r.readInt64()), leaderEpoch: r.readInt32(), metadata: r.readString(), commitTimestampMs: Number(r.readInt64()), expireTimestampMs: -1 };
    case 4:
      return {
        offset: Number(r.readInt64()),
        leaderEpoch: r.readInt32(),
        metadata: r.readCompactString(),
        commitTimestampMs: Number(r.readInt64()),
        expireTimestampMs: -1,
      };
    default:
      throw new ProtocolError(`__consumer_offsets: unknown offset value version ${version}`);
  }
}

export function encodeGroupValue(value: GroupMetadataValue): Buffer {
  const w = new Writer(256)
    .writeInt16(GROUP_VALUE_VERSION)
    .writeString(value.protocolType)
    .writeInt32(value.generation)
    .writeNullableString(value.protocol)
    .writeNullableString(value.leader)
    .writeInt64(BigInt(value.currentStateTimestampMs))
    .writeArrayLength(value.members.length);
  for (const member of value.members) {
    w.writeString(member.memberId)
      .writeNullableString(member.groupInstanceId)
      .writeString(member.clientId)
      .writeString(member.clientHost)
      .writeInt32(member.rebalanceTimeoutMs)
      .writeInt32(member.sessionTimeoutMs)
      .writeBytes(member.subscription)
      .writeBytes(member.assignment);
  }
  return w.toBuffer();
}

export function decodeGroupValue(buffer: Buffer): GroupMetadataValue {
  const r = new Reader(buffer);
  const version = r.readInt16();
  if (version < 0 || version > 3) throw new ProtocolError(`__consumer_offsets: unknown group value version ${version}`);
  const protocolType = r.readString();
  const generation = r.readInt32();
  const protocol = r.readNullableString();
  const leader = r.readNullableString();
  const currentStateTimestampMs = version >= 2 ? Number(r.readInt64()) : -1;
  const count = r.readArrayLength();
  const members: GroupMemberValue[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.readString();
    const groupInstanceId = version >= 3 ? r.readNullableString() : null;
    const clientId = r.readString();
    const clientHost = r.readString();
    const rebalanceTimeoutMs = version >= 1 ? r.readInt32() : -1;
    const sessionTimeoutMs = r.readInt32();
    const subscription = r.readBytes();
    const assignment = r.readBytes();
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestampMs, members };
}

/** Java's String.hashCode over UTF-16 code units, as Kafka places groups with it. */
export function javaStringHashCode(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(hash, 31) + value.charCodeAt(i)) | 0;
  return hash;
}

/** Kafka's partitionFor: Utils.abs(groupId.hashCode) % partitions (abs(MIN_VALUE) is 0 there). */
export function offsetsPartitionFor(groupId: string, partitions: number): number {
  const hash = javaStringHashCode(groupId);
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions;
}
