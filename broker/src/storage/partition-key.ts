/**
 * The one key a topic-partition is looked up by, in the partition registry
 * and in the log manager alike. A NUL cannot occur in a topic name (Kafka
 * allows only [a-zA-Z0-9._-]), so no two partitions share a key.
 */
export type PartitionKey = string & { readonly __partitionKey: unique symbol };

export function partitionKey(topic: string, partition: number): PartitionKey {
  return `${topic}\u0000${partition}` as PartitionKey;
}
