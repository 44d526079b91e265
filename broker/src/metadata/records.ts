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
  | { type: "ProducerIdsRecord"; nodeId: number; nextProducerId: number }
  /**
   * A broker registered with the active controller (Kafka's RegisterBrokerRecord): its endpoints and
   * rack, and its epoch (the offset of this record), which its heartbeats must carry. It starts fenced.
   */
  | {
      type: "RegisterBrokerRecord";
      brokerId: number;
      incarnationId: string;
      brokerEpoch: number;
      rack: string | null;
      endpoints: Array<{ name: string; host: string; port: number }>;
      fenced: boolean;
    }
  /** A registered broker fenced (its session expired) or unfenced (it caught up): Kafka's BrokerRegistrationChangeRecord. */
  | { type: "BrokerRegistrationChangeRecord"; brokerId: number; brokerEpoch: number; fenced: boolean };

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
    case "RegisterBrokerRecord":
    case "BrokerRegistrationChangeRecord":
      return record;
    default:
      throw new Error(`unknown metadata record type ${(record as { type: unknown }).type}`);
  }
}
