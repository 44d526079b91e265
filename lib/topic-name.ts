/** Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic). */
export const TOPIC_NAME_LENGTH_MAX = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why `name` is not a legal topic name, or null when it is. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return "a topic name cannot be empty";
  if (name === "." || name === "..") return `a topic name cannot be "${name}"`;
  if (name.length > TOPIC_NAME_LENGTH_MAX) return `a topic name is at most ${TOPIC_NAME_LENGTH_MAX} characters`;
  if (!LEGAL.test(name)) return "a topic name may contain only letters, digits, '.', '_' and '-'";
  return null;
}

/** Kafka's internal topics, and the convention that names starting with "__" are internal. */
export function isInternalTopic(name: string): boolean {
  return name.startsWith("__");
}
