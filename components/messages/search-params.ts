import { browseInputSchema, type BrowseInput } from "@/lib/contracts";

/**
 * URL state of the Messages tab:
 * ?partition=all|n&start=oldest|newest|offset|timestamp&offset=&timestamp=&count=&order=&cursor=&q=&in=any|key|value|headers&open=p:o
 * Invalid values fall back to the defaults rather than breaking the page.
 */
export function readBrowseParams(params: URLSearchParams): { input: BrowseInput; open: { partition: number; offset: number } | null } {
  const raw: Record<string, string> = {};
  for (const key of ["partition", "start", "offset", "timestamp", "count", "order", "cursor", "q", "in"]) {
    const value = params.get(key);
    if (value !== null && value !== "") raw[key] = value;
  }
  let parsed = browseInputSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) delete raw[String(issue.path[0])];
    if (raw.start === "offset" && raw.offset === undefined) delete raw.start;
    if (raw.start === "timestamp" && raw.timestamp === undefined) delete raw.start;
    parsed = browseInputSchema.safeParse(raw);
  }
  const input = parsed.success ? parsed.data : browseInputSchema.parse({});
  const open = /^(\d+):(\d+)$/.exec(params.get("open") ?? "");
  return { input, open: open ? { partition: Number(open[1]), offset: Number(open[2]) } : null };
}
