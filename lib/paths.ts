/** Every page and API path in one place. */
const enc = encodeURIComponent;

export const paths = {
  overview: () => "/",
  brokers: () => "/brokers",
  broker: (id: number) => `/brokers/${id}`,
  topics: () => "/topics",
  topic: (name: string, params?: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined) search.set(k, String(v));
    const query = search.toString();
    return `/topics/${enc(name)}${query ? `?${query}` : ""}`;
  },
  produce: (name: string) => `/topics/${enc(name)}/produce`,
  /** The messages tab opened on one record. */
  record: (name: string, partition: number, offset: number) =>
    paths.topic(name, { tab: "messages", partition, start: "offset", offset, order: "oldest-first", open: `${partition}:${offset}` }),
  api: {
    topic: (name: string) => `/api/topics/${enc(name)}`,
  },
};
