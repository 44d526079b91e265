/** Kafka's limit, so a partition directory name `<topic>-<partition>` fits in 255 bytes. */
export const TOPIC_NAME_LENGTH_MAX = 249;

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** Returns why `name` is not a legal topic name, or null when it is (Kafka's rules). */
export function topicNameProblem(name: string | null | undefined): string | null {
  if (name === null || name === undefined || name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === "." || name === "..") return "Topic name cannot be \".\" or \"..\"";
  if (name.length > TOPIC_NAME_LENGTH_MAX)
    return `Topic name is illegal, it can't be longer than ${TOPIC_NAME_LENGTH_MAX} characters, topic name: ${name}`;
  if (!LEGAL_TOPIC_NAME.test(name))
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/** '.' and '_' collide in metric names, so Kafka refuses topics differing only by them. */
export function collisionKey(name: string): string {
  return name.replace(/\./g, "_");
}
