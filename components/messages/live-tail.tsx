"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import type { Message, SearchField } from "@/lib/contracts";
import { formatNumber, formatTimestamp } from "@/lib/format";
import { previewText } from "@/lib/payload";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/states";

/** The browser keeps this many records of a tail; older ones are dropped, so a fast topic cannot grow the page's memory. */
export const LIVE_BUFFER_MAX = 2_000;
const ROW_HEIGHT_PX = 28;

/** What one `records` event of /api/topics/{topic}/tail carries. */
interface TailBatch {
  messages: Message[];
  arrived: number;
  skipped: number;
  ratePerSecond: number;
}

type StreamState = { kind: "connecting" } | { kind: "live" } | { kind: "ended"; message: string; refused?: boolean };

export function tailUrl(topic: string, partition: number | "all", q: string | undefined, field: SearchField): string {
  const params = new URLSearchParams({ partition: String(partition) });
  if (q !== undefined) {
    params.set("q", q);
    if (field !== "any") params.set("in", field);
  }
  return `/api/topics/${encodeURIComponent(topic)}/tail?${params}`;
}

/**
 * Follows new records of the topic with an EventSource. Shows the newest
 * first in a virtualized list of at most LIVE_BUFFER_MAX rows. Paused, the
 * list stands still while arrivals still go into the bounded buffer, shown on
 * resume. Unmounting (leaving the tab or the page) closes the stream, which
 * stops the reading on the server.
 */
export function LiveTail({ topic, partition, q, field }: { topic: string; partition: number | "all"; q: string | undefined; field: SearchField }) {
  const url = tailUrl(topic, partition, q, field);
  // Newest first; kept outside React state so arrivals while paused do not re-render.
  const buffer = useRef<Message[]>([]);
  const dropped = useRef(0);
  const pausedRef = useRef(false);
  const [shown, setShown] = useState<{ rows: Message[]; dropped: number }>({ rows: [], dropped: 0 });
  const [paused, setPaused] = useState(false);
  const [waiting, setWaiting] = useState(0);
  const [rate, setRate] = useState(0);
  const [skipped, setSkipped] = useState(0);
  const [notice, setNotice] = useState("");
  const [state, setState] = useState<StreamState>({ kind: "connecting" });

  useEffect(() => {
    buffer.current = [];
    dropped.current = 0;
    setShown({ rows: [], dropped: 0 });
    setWaiting(0);
    setSkipped(0);
    setNotice("");
    setState({ kind: "connecting" });
    const source = new EventSource(url);
    source.addEventListener("start", () => setState({ kind: "live" }));
    source.addEventListener("records", (event) => {
      const batch = JSON.parse((event as MessageEvent<string>).data) as TailBatch;
      setRate(batch.ratePerSecond);
      if (batch.skipped > 0) setSkipped((n) => n + batch.skipped);
      if (batch.messages.length === 0) return;
      const next = [...batch.messages].reverse().concat(buffer.current);
      if (next.length > LIVE_BUFFER_MAX) {
        dropped.current += next.length - LIVE_BUFFER_MAX;
        next.length = LIVE_BUFFER_MAX;
      }
      buffer.current = next;
      if (pausedRef.current) setWaiting((n) => n + batch.messages.length);
      else setShown({ rows: next, dropped: dropped.current });
    });
    source.addEventListener("notice", (event) => setNotice((JSON.parse((event as MessageEvent<string>).data) as { message: string }).message));
    source.addEventListener("end", (event) => {
      source.close();
      setRate(0);
      const end = JSON.parse((event as MessageEvent<string>).data) as { reason: string; message: string };
      setState({ kind: "ended", message: end.message, refused: end.reason === "refused" });
    });
    source.addEventListener("error", () => {
      // CONNECTING: the browser reconnects by itself (the tail goes on from the end). CLOSED: the server refused the stream.
      if (source.readyState === EventSource.CLOSED)
        setState({ kind: "ended", message: "the server refused the live tail (too many tails open, or the topic or partition is gone); try again later" });
    });
    return () => source.close();
  }, [url]);

  const togglePause = () => {
    const pause = !pausedRef.current;
    pausedRef.current = pause;
    setPaused(pause);
    if (!pause) {
      setShown({ rows: buffer.current, dropped: dropped.current });
      setWaiting(0);
    }
  };

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: shown.rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT_PX, overscan: 10 });

  return (
    <div className="space-y-2" data-testid="live-tail">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="inline-flex items-center gap-1.5" data-testid="live-status" data-state={paused ? "paused" : state.kind}>
          <span className={`h-2 w-2 rounded-full ${state.kind === "live" && !paused ? "animate-pulse bg-emerald-500" : "bg-slate-400"}`} />
          {state.kind === "connecting" ? "Connecting…" : state.kind === "ended" ? "Stopped" : paused ? "Paused" : "Live"}
          {" · "}
          {partition === "all" ? "all partitions" : `partition ${partition}`}
          {q !== undefined ? `, only records with “${q}”` : ""}
        </span>
        <Button onClick={togglePause} disabled={state.kind === "ended"} data-testid="live-pause">
          {paused ? "Resume" : "Pause"}
        </Button>
        <span className="tabular-nums text-slate-600 dark:text-slate-400" data-testid="live-rate">
          {formatNumber(Math.round(rate))} records/s arriving
        </span>
        <span className="tabular-nums text-slate-600 dark:text-slate-400">
          <span data-testid="live-count">{formatNumber(shown.rows.length)}</span> shown, newest first (the last {formatNumber(LIVE_BUFFER_MAX)} are kept
          {shown.dropped > 0 ? `; ${formatNumber(shown.dropped)} older dropped` : "; older ones are dropped"})
        </span>
        {paused && waiting > 0 ? <span data-testid="live-waiting">{formatNumber(waiting)} new while paused</span> : null}
      </div>
      {skipped > 0 ? <Notice>The topic outran the stream: {formatNumber(skipped)} matching records were not sent to the browser.</Notice> : null}
      {notice !== "" && state.kind !== "ended" ? <Notice testId="live-notice">Waiting: {notice}.</Notice> : null}
      {state.kind === "ended" ? (
        <Notice tone="error" testId="live-ended">
          {state.refused ? "The live tail could not start" : "The live tail stopped"}: {state.message}.
        </Notice>
      ) : null}
      <div className="rounded-md border border-slate-200 font-mono text-xs dark:border-slate-800">
        <div className="grid grid-cols-[16.5rem_5rem_7rem_13rem_1fr] border-b border-slate-200 bg-slate-50 px-2 py-1.5 font-sans font-medium text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400">
          <span>Timestamp</span>
          <span className="pr-3 text-right">Partition</span>
          <span className="pr-3 text-right">Offset</span>
          <span>Key</span>
          <span>Value</span>
        </div>
        <div ref={scroller} className="h-[28rem] overflow-auto" data-testid="live-list">
          {shown.rows.length === 0 ? (
            <p className="p-4 font-sans text-sm text-slate-500">{state.kind === "ended" ? "No records arrived." : "Waiting for new records…"}</p>
          ) : (
            <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((item) => {
                const m = shown.rows[item.index];
                return (
                  <div
                    key={`${m.partition}:${m.offset}`}
                    data-testid={`live-row-${m.partition}-${m.offset}`}
                    className="absolute left-0 top-0 grid w-full grid-cols-[16.5rem_5rem_7rem_13rem_1fr] items-center border-b border-slate-100 px-2 dark:border-slate-800/60"
                    style={{ height: ROW_HEIGHT_PX, transform: `translateY(${item.start}px)` }}
                  >
                    <span className="whitespace-nowrap tabular-nums">{formatTimestamp(m.timestamp)}</span>
                    <span className="pr-3 text-right tabular-nums">{m.partition}</span>
                    <span className="pr-3 text-right tabular-nums">{m.offset}</span>
                    <span className="truncate pr-2">{m.key ? previewText(m.key.base64, 60) : <em className="text-slate-400">null</em>}</span>
                    <span className="truncate" data-testid="live-value">
                      {m.value ? previewText(m.value.base64) : <em className="text-slate-400">null</em>}
                    </span>
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
