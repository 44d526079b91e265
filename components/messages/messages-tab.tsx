"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Fragment, useEffect, useState } from "react";
import { BROWSE_COUNT_MAX, SEARCH_TEXT_MAX, type BrowseInput, type TopicDetail } from "@/lib/contracts";
import { datetimeLocalValue, formatNumber, formatTimestamp, utcOffset } from "@/lib/format";
import { previewText } from "@/lib/payload";
import { browseQuery } from "@/lib/queries";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/field";
import { EmptyState, ErrorState, Loading, Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { LiveTail } from "./live-tail";
import { RecordDetail } from "./record-detail";
import { readBrowseParams, type IgnoredParam } from "./search-params";

/** Typing in the search box waits this long for a pause before searching. */
const SEARCH_DEBOUNCE_MS = 400;

const plural = (n: number, one: string, many: string) => `${formatNumber(n)} ${n === 1 ? one : many}`;

/** What a page shows, in words: "the newest records of all partitions, newest first". */
function describeBrowse(input: BrowseInput): string {
  const where = input.partition === "all" ? "all partitions" : `partition ${input.partition}`;
  const from =
    input.start === "newest"
      ? `the newest records of ${where}`
      : input.start === "oldest"
        ? `${where} from the oldest record`
        : input.start === "offset"
          ? `${where} from offset ${formatNumber(input.offset!)}`
          : `${where} from ${formatTimestamp(input.timestamp!)}`;
  return `${from}, ${input.order === "newest-first" ? "newest" : "oldest"} first${input.q !== undefined ? `, searching for “${input.q}”` : ""}`;
}

/** Why a page of a non-empty topic came back empty, when the start says so: an offset past the end, a time after the last record. */
function emptyRangeHint(input: BrowseInput, topic: TopicDetail): string {
  const chosen = topic.partitionList.filter((p) => input.partition === "all" || p.partition === input.partition);
  const ends = chosen.map((p) => `partition ${p.partition} ends at ${formatNumber(p.lastOffset)}`).join(", ");
  if (input.start === "offset" && !input.cursor && chosen.every((p) => input.offset! >= p.highWatermark))
    return `Offset ${formatNumber(input.offset!)} is past the last record (${ends}).`;
  if (input.start === "timestamp" && !input.cursor) return `No record at or after ${formatTimestamp(input.timestamp!)}; try an earlier time.`;
  return "Nothing in this range; try another start position or partition.";
}

/** Params of the link that could not be honoured, and what the page shows instead. */
function IgnoredParams({ ignored, input }: { ignored: IgnoredParam[]; input: BrowseInput }) {
  return (
    <Notice testId="browse-ignored">
      <p>Some of the link’s settings could not be used and were ignored:</p>
      <ul className="my-1 list-disc pl-5">
        {ignored.map((i) => (
          <li key={i.param} data-testid={`browse-ignored-${i.param}`}>
            <code className="font-mono text-xs">
              {i.param}={i.value}
            </code>
            : {i.reason}
          </li>
        ))}
      </ul>
      <p data-testid="browse-ignored-instead">
        Showing instead: {describeBrowse(input)}
        {ignored.some((i) => i.param === "cursor") ? ", first page" : ""}.
      </p>
    </Notice>
  );
}

export function MessagesTab({ topic }: { topic: TopicDetail }) {
  const { params, update } = useSearchParamsState();
  const { input, open, ignored } = readBrowseParams(params, topic.partitionList.length);
  // Live: follow new records (of the chosen partition, with the search) instead of reading pages.
  const [live, setLive] = useState(false);
  const { data, error, isPending, isFetching, refetch } = useQuery({ ...browseQuery(topic.name, input), placeholderData: keepPreviousData, enabled: !live });
  const [offsetDraft, setOffsetDraft] = useState(input.offset !== undefined ? String(input.offset) : "");
  const [timeDraft, setTimeDraft] = useState(input.timestamp !== undefined ? datetimeLocalValue(input.timestamp) : "");
  const [searchDraft, setSearchDraft] = useState(input.q ?? "");
  const searched = input.q ?? "";

  // Search once typing pauses; Enter searches at once through the form.
  useEffect(() => {
    if (searchDraft === searched) return;
    const timer = setTimeout(() => update({ q: searchDraft, cursor: undefined, open: undefined }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchDraft, searched, update]);

  // A new filter starts a new result: drop the page cursor, the opened record and the params that were ignored.
  const filter = (changes: Record<string, string | number | undefined>) =>
    update({ ...Object.fromEntries(ignored.map((i) => [i.param, undefined])), ...changes, cursor: undefined, open: undefined });

  const nextPage = () => update({ cursor: data?.nextCursor ?? undefined, open: undefined }, { push: true });

  return (
    <div className="space-y-4">
      <form
        className="flex flex-wrap items-end gap-3 text-sm"
        data-testid="browse-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (searchDraft !== searched) filter({ q: searchDraft });
          if (input.start === "offset") filter({ offset: offsetDraft });
          if (input.start === "timestamp") filter({ timestamp: timeDraft ? new Date(timeDraft).getTime() : undefined });
          refetch();
        }}
      >
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Search</span>
          <Input
            type="search"
            value={searchDraft}
            maxLength={SEARCH_TEXT_MAX}
            placeholder="Text in key, value or headers"
            onChange={(e) => setSearchDraft(e.target.value)}
            className="w-56"
            data-testid="browse-search"
          />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">In</span>
          <Select value={input.in} onChange={(e) => filter({ in: e.target.value === "any" ? undefined : e.target.value })} data-testid="browse-search-in">
            <option value="any">Anywhere</option>
            <option value="key">Key</option>
            <option value="value">Value</option>
            <option value="headers">Headers</option>
          </Select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Partition</span>
          <Select value={String(input.partition)} onChange={(e) => filter({ partition: e.target.value })} data-testid="browse-partition">
            <option value="all">All partitions</option>
            {topic.partitionList.map((p) => (
              <option key={p.partition} value={p.partition}>
                {p.partition}
              </option>
            ))}
          </Select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Start at</span>
          <Select
            value={input.start}
            data-testid="browse-start"
            onChange={(e) => {
              const start = e.target.value;
              // The order follows the start (forward from a position, backwards from the newest); the select can change it after.
              if (start === "offset") filter({ start, offset: offsetDraft || 0, timestamp: undefined, order: undefined });
              else if (start === "timestamp") {
                const ms = timeDraft ? new Date(timeDraft).getTime() : Date.now() - 3_600_000;
                setTimeDraft(datetimeLocalValue(ms));
                filter({ start, timestamp: ms, offset: undefined, order: undefined });
              } else filter({ start, offset: undefined, timestamp: undefined, order: undefined });
            }}
          >
            <option value="newest">Newest</option>
            <option value="oldest">Oldest</option>
            <option value="offset">Offset</option>
            <option value="timestamp">Timestamp</option>
          </Select>
        </label>
        {input.start === "offset" ? (
          <label className="flex flex-col gap-1">
            <span className="text-xs text-slate-500">Offset</span>
            <Input type="number" min={0} value={offsetDraft} onChange={(e) => setOffsetDraft(e.target.value)} onBlur={() => filter({ offset: offsetDraft })} className="w-32" data-testid="browse-offset" />
          </label>
        ) : null}
        {input.start === "timestamp" ? (
          <label className="flex flex-col gap-1">
            <span className="text-xs text-slate-500">Time (local, UTC{utcOffset(timeDraft ? new Date(timeDraft).getTime() : Date.now())})</span>
            <Input
              type="datetime-local"
              step={1}
              value={timeDraft}
              onChange={(e) => setTimeDraft(e.target.value)}
              onBlur={() => filter({ timestamp: timeDraft ? new Date(timeDraft).getTime() : undefined })}
              data-testid="browse-timestamp"
            />
          </label>
        ) : null}
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Order</span>
          <Select value={input.order} onChange={(e) => filter({ order: e.target.value })} data-testid="browse-order">
            <option value="newest-first">Newest first</option>
            <option value="oldest-first">Oldest first</option>
          </Select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Count (max {BROWSE_COUNT_MAX})</span>
          <Select value={String(input.count)} onChange={(e) => filter({ count: e.target.value })} data-testid="browse-count">
            {[10, 20, 50, 100, 200, 500].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </Select>
        </label>
        <Button type="submit" disabled={live} data-testid="browse-refresh">
          {isFetching ? "Loading…" : "Refresh"}
        </Button>
        <Button variant={live ? "primary" : "secondary"} aria-pressed={live} onClick={() => setLive(!live)} data-testid="live-toggle">
          {live ? "● Live (stop)" : "Live"}
        </Button>
      </form>

      {ignored.length > 0 ? <IgnoredParams ignored={ignored} input={input} /> : null}

      {live ? (
        <LiveTail topic={topic.name} partition={input.partition} q={input.q} field={input.in} />
      ) : isPending ? (
        <Loading label="Reading records" />
      ) : error ? (
        <ErrorState error={error} onRetry={() => refetch()} />
      ) : (
        <>
          {input.q !== undefined ? (
            <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="search-status">
              {plural(data.messages.length, "match", "matches")} in {plural(data.scanned, "record", "records")} scanned
              {data.budgetExhausted && data.nextCursor ? (
                <>
                  ; the scan stopped at its limit.{" "}
                  <button type="button" className="text-sky-700 underline dark:text-sky-400" onClick={nextPage} data-testid="search-continue">
                    Continue searching
                  </button>
                </>
              ) : null}
            </p>
          ) : data.budgetExhausted ? (
            <Notice>The read stopped at its time or size limit; the page may hold fewer records than asked for.</Notice>
          ) : null}
          {data.messages.length === 0 && input.q !== undefined ? (
            <EmptyState title="No matches">
              Nothing matched “{input.q}” in the {plural(data.scanned, "record", "records")} scanned
              {data.nextCursor ? "; the rest of the topic is not searched yet." : "."}
            </EmptyState>
          ) : data.messages.length === 0 ? (
            <EmptyState title="No records here">
              {topic.approximateRecords === 0 ? "The topic is empty. Produce a record to see it here." : emptyRangeHint(input, topic)}
            </EmptyState>
          ) : (
            <Table testId="messages-table" className="table-fixed font-mono text-xs">
              {/* Fixed widths, so columns do not jump from one page to the next. */}
              <colgroup>
                <col className="w-[16.5rem]" />
                <col className="w-24" />
                <col className="w-28" />
                <col className="w-52" />
                <col />
                <col className="w-24" />
              </colgroup>
              <thead className="font-sans">
                <tr>
                  <Th>Timestamp</Th>
                  <Th className="text-right">Partition</Th>
                  <Th className="text-right">Offset</Th>
                  <Th>Key</Th>
                  <Th>Value</Th>
                  <Th className="text-right">Headers</Th>
                </tr>
              </thead>
              <tbody>
                {data.messages.map((m) => {
                  const isOpen = open?.partition === m.partition && open.offset === m.offset;
                  const toggle = () => update({ open: isOpen ? undefined : `${m.partition}:${m.offset}` });
                  return (
                    <Fragment key={`${m.partition}:${m.offset}`}>
                      <Tr
                        data-testid={`message-row-${m.partition}-${m.offset}`}
                        tabIndex={0}
                        aria-expanded={isOpen}
                        aria-label={`Record at partition ${m.partition}, offset ${m.offset}`}
                        className={`cursor-pointer focus-visible:outline focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 ${isOpen ? "bg-slate-100 dark:bg-slate-800" : ""}`}
                        onClick={toggle}
                        onKeyDown={(e) => {
                          if (e.target !== e.currentTarget || (e.key !== "Enter" && e.key !== " ")) return;
                          e.preventDefault();
                          toggle();
                        }}
                      >
                        <Td className="whitespace-nowrap tabular-nums">{formatTimestamp(m.timestamp)}</Td>
                        <Td className="text-right tabular-nums">{m.partition}</Td>
                        <Td className="text-right tabular-nums">{m.offset}</Td>
                        <Td className="truncate">{m.key ? previewText(m.key.base64, 60) : <em className="text-slate-400">null</em>}</Td>
                        <Td className="truncate" data-testid="message-value-preview">
                          {m.value ? previewText(m.value.base64) : <em className="text-slate-400">null</em>}
                        </Td>
                        <Td className="text-right tabular-nums">{m.headers.length}</Td>
                      </Tr>
                      {isOpen ? (
                        <tr>
                          <td colSpan={6} className="border-b border-slate-200 bg-white font-sans text-sm dark:border-slate-800 dark:bg-slate-900">
                            <RecordDetail topic={topic.name} message={m} />
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </Table>
          )}
          <div className="flex items-center gap-2 text-sm">
            <Button onClick={() => window.history.back()} disabled={!input.cursor} data-testid="page-previous">
              ← Previous
            </Button>
            <Button onClick={nextPage} disabled={!data.nextCursor} data-testid="page-next">
              Next →
            </Button>
            {input.cursor ? (
              <Button variant="ghost" onClick={() => update({ cursor: undefined, open: undefined }, { push: true })}>
                First page
              </Button>
            ) : null}
            <span className="text-slate-500">
              {plural(data.messages.length, input.q !== undefined ? "match" : "record", input.q !== undefined ? "matches" : "records")}
            </span>
          </div>
        </>
      )}
    </div>
  );
}
