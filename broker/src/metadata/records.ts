/**
 * The records of the cluster metadata log. Every change to topics, partitions
 * and configs is one of these, appended to `__cluster_metadata` and then
 * replayed into the image; the Raft quorum will later replicate the same log.
 * Each record is stored as a Kafka record: key = record type, value = JSON.
 */
export type MetadataRecord =
  | { type: "TopicRecord"; name: string; topicId: string }
  | {
      type: "PartitionRecord";
      topicId: string;
      partition: number;
      replicas: number[];
      isr: number[];
      leader: number;
      leaderEpoch: number;
    }
  | { type: "RemoveTopicRecord"; topicId: string }
  | { type: "ConfigRecord"; resourceType: "topic" | "broker"; resourceName: string; name: string; value: string | null }
  /** A block of producer ids handed to a node: every id below nextProducerId is taken, even after a restart. */
  | { type: "ProducerIdsRecord"; nodeId: number; nextProducerId: number };

export function encodeMetadataRecord(record: MetadataRecord): { key: Buffer; value: Buffer } {
  return { key: Buffer.from(record.type), value: Buffer.from(JSON.stringify(record)) };
}

export function decodeMetadataRecord(value: Buffer): MetadataRecord {
  const record = JSON.parse(value.toString("utf8")) as MetadataRecord;
  switch (record.type) {
    case "TopicRecord":
    case "PartitionRecord":
    case "RemoveTopicRecord":
    case "ConfigRecord":
    case "ProducerIdsRecord":
      return record;
    default:
      throw new Error(`unknown metadata record type ${(record as { type: unknown }).type}`);
  }
}
