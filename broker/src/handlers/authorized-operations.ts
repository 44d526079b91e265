// The authorized-operations bit sets of Metadata, DescribeCluster and DescribeGroups.
// This broker has no authorizer, so, as Kafka does without one, a client that asks is
// granted every operation that applies to the resource type.

/** Kafka's AclOperation codes (the bit positions of an authorized-operations field). */
export const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;
type AclOperationName = keyof typeof AclOperation;

/** The operations that apply to each resource type (Kafka's AclEntry.supportedOperations). */
const SUPPORTED: Record<"topic" | "group" | "cluster", readonly AclOperationName[]> = {
  topic: ["READ", "WRITE", "CREATE", "DESCRIBE", "DELETE", "ALTER", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"],
  group: ["READ", "DESCRIBE", "DELETE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"],
  cluster: ["CREATE", "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE", "ALTER", "DESCRIBE"],
};

/** Kafka's "authorized operations not requested" sentinel (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

const bitSet = (operations: readonly AclOperationName[]) => operations.reduce((bits, name) => bits | (1 << AclOperation[name]), 0);
const GRANTED = { topic: bitSet(SUPPORTED.topic), group: bitSet(SUPPORTED.group), cluster: bitSet(SUPPORTED.cluster) };

/** The bit set to answer for a resource of `type`: every applicable operation when asked, else the sentinel. */
export function authorizedOperations(type: keyof typeof SUPPORTED, requested: boolean): number {
  return requested ? GRANTED[type] : AUTHORIZED_OPERATIONS_OMITTED;
}

/** The names of the operations in a bit set, for logs and tests. */
export function operationNames(bits: number): AclOperationName[] {
  return (Object.keys(AclOperation) as AclOperationName[]).filter((name) => (bits & (1 << AclOperation[name])) !== 0);
}
