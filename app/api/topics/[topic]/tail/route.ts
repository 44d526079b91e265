import { NextResponse } from "next/server";
import { errorResponse, handle, parseQuery, topicParam } from "@/server/http/route";
import { startTail, TailCapError, tailInputSchema } from "@/server/services/tail-records";
import { maskedMatches, maskerForRequest } from "@/server/masking";

export const dynamic = "force-dynamic";
type Context = { params: Promise<{ topic: string }> };

const encoder = new TextEncoder();
const SSE_HEADERS = { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive", "X-Accel-Buffering": "no" };
const event = (name: string, data: unknown) => encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * Live tail as server-sent events: ?partition=all|n&q=&in=any|key|value|headers.
 * Events: `start` (each partition's end offset), `records` (a coalesced batch
 * with the arrival rate), `notice` (what the tail waits for, such as a moved
 * leader; empty once resolved), `end` (time limit, error, or refused at the start
 * when too many tails are open: a 429 to other clients; the stream closes after).
 * Closing the connection stops the reading on the server at once.
 */
export const GET = handle(async (request: Request, { params }: Context, scope): Promise<Response> => {
  const stop = new AbortController();
  request.signal.addEventListener("abort", () => stop.abort(), { once: true });
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const send = (name: string, data: unknown) => {
    if (!open) return;
    // A reader that falls behind gets no more batches queued; the next batch says how many were skipped.
    if (name === "records" && (controller.desiredSize ?? 1) <= 0) return;
    controller.enqueue(event(name, data));
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      cancel: () => {
        open = false;
        stop.abort();
      },
    },
    { highWaterMark: 64 },
  );
  try {
    const input = parseQuery(request, tailInputSchema);
    const topic = await topicParam(params);
    const masker = maskerForRequest(scope, topic);
    const tail = await startTail(topic, input, stop.signal, {
      onStart: (start) => send("start", start),
      onBatch: (batch) => send("records", masker ? { ...batch, messages: maskedMatches(batch.messages, masker, input) } : batch),
      onNotice: (notice) => send("notice", notice),
      onEnd: (end) => send("end", end),
    }, scope.clients);
    void tail.done.then(() => {
      if (open) controller.close();
      open = false;
    });
  } catch (error) {
    if (error instanceof TailCapError) {
      // A browser's EventSource sees only "failed" on a 429, never its body: it gets the reason as a final event instead.
      if (request.headers.get("accept")?.includes("text/event-stream"))
        return new Response(event("end", { reason: "refused", message: error.message }), { headers: SSE_HEADERS });
      return NextResponse.json({ error: { code: "UNAVAILABLE", message: error.message } }, { status: 429, headers: { "Retry-After": "10" } });
    }
    return errorResponse(error);
  }
  return new Response(stream, { headers: SSE_HEADERS });
});
