import "server-only";
import { AssignerProtocol } from "kafkajs";

/** A member's assignment under the consumer protocol: topics with their partitions, sorted. */
export type ConsumerAssignment = Array<{ topic: string; partitions: number[] }>;

/**
 * Decodes a member's assignment (DescribeGroups' memberAssignment) when the
 * group speaks the consumer protocol; other protocols' assignments are
 * opaque, and bytes that do not decode (a client writing something else
 * under "consumer") give none.
 */
export function decodeConsumerAssignment(protocolType: string, bytes: Buffer): ConsumerAssignment {
  if (protocolType !== "consumer" || bytes.length === 0) return [];
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(bytes);
    return Object.entries(decoded?.assignment ?? {})
      .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
      .sort((a, b) => a.topic.localeCompare(b.topic));
  } catch {
    return [];
  }
}
