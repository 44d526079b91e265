import { browseInputSchema, type BrowseInput } from "@/lib/contracts";

/** A URL param the tab could not honour, and why; the page says so instead of falling back silently. */
export interface IgnoredParam {
  param: string;
  value: string;
  reason: string;
}

const PARAMS = ["partition", "start", "offset", "timestamp", "count", "order", "cursor", "q", "in"] as const;

/**
 * URL state of the Messages tab:
 * ?partition=all|n&start=oldest|newest|offset|timestamp&offset=&timestamp=&count=&order=&cursor=&q=&in=any|key|value|headers&open=p:o
 * A value that cannot be honoured falls back to its default, field by field,
 * and is listed in `ignored`. With `partitions` (the topic's count), a
 * partition the topic lacks is one of them.
 */
export function readBrowseParams(
  params: URLSearchParams,
  partitions?: number,
): { input: BrowseInput; open: { partition: number; offset: number } | null; ignored: IgnoredParam[] } {
  const raw: Record<string, string> = {};
  for (const key of PARAMS) {
    const value = params.get(key);
    if (value !== null && value !== "") raw[key] = value;
  }
  const ignored: IgnoredParam[] = [];
  const drop = (param: string, reason: string) => {
    if (raw[param] === undefined) return;
    ignored.push({ param, value: raw[param], reason });
    delete raw[param];
  };
  if (partitions !== undefined && /^\d+$/.test(raw.partition ?? "") && Number(raw.partition) >= partitions)
    drop("partition", partitions === 1 ? "the topic has only partition 0" : `the topic has partitions 0 to ${partitions - 1}`);

  let parsed = browseInputSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) drop(String(issue.path[0]), issue.message);
    if (raw.start === "offset" && raw.offset === undefined) drop("start", "there is no valid offset to start at");
    if (raw.start === "timestamp" && raw.timestamp === undefined) drop("start", "there is no valid time to start at");
    parsed = browseInputSchema.safeParse(raw);
  }
  const input = parsed.success ? parsed.data : browseInputSchema.parse({});
  const openText = params.get("open");
  const open = /^(\d+):(\d+)$/.exec(openText ?? "");
  if (openText && !open) ignored.push({ param: "open", value: openText, reason: "a record is partition:offset" });
  return { input, open: open ? { partition: Number(open[1]), offset: Number(open[2]) } : null, ignored };
}
