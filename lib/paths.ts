/** Every page and API path in one place. */
const enc = encodeURIComponent;

/** "?a=1&b=2" from the defined params, or "" when there are none. */
function query(params?: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined) search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/**
 * A dynamic segment of a page's params as the name it stands for. Next.js
 * hands pages each segment percent-encoded (encodeURIComponent of the decoded
 * path, so "/groups/my%20group" arrives as "my%20group"), unlike route
 * handlers, whose paths groupParam reads. Decoding it once undoes exactly that.
 */
export function pageParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // not percent-encoded after all: the name as written
  }
}

export const paths = {
  overview: () => "/",
  brokers: () => "/brokers",
  broker: (id: number) => `/brokers/${id}`,
  topics: () => "/topics",
  topic: (name: string, params?: Record<string, string | number | undefined>) => `/topics/${enc(name)}${query(params)}`,
  groups: () => "/groups",
  group: (id: string, params?: Record<string, string | number | undefined>) => `/groups/${enc(id)}${query(params)}`,
  produce: (name: string) => `/topics/${enc(name)}/produce`,
  audit: () => "/audit",
  /** The messages tab opened on one record. */
  record: (name: string, partition: number, offset: number) =>
    paths.topic(name, { tab: "messages", partition, start: "offset", offset, order: "oldest-first", open: `${partition}:${offset}` }),
  api: {
    topic: (name: string) => `/api/topics/${enc(name)}`,
    group: (id: string) => `/api/groups/${enc(id)}`,
  },
};
