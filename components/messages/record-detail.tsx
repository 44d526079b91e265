"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Message, Payload } from "@/lib/contracts";
import { formatTimestamp } from "@/lib/format";
import { asJson, asText, base64ToBytes, toHex } from "@/lib/payload";
import { recordQuery } from "@/lib/queries";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/states";
import { PayloadView } from "./payload-view";

/** Text when the bytes are printable UTF-8, otherwise their base64: never a lossy decoding. */
function textOrBase64(p: Payload) {
  return asText(base64ToBytes(p.base64)) ?? { base64: p.base64 };
}

/**
 * The record as portable JSON: key and value as JSON when they parse, text
 * when UTF-8, base64 otherwise; header values as text or base64, in order.
 */
export function recordAsJson(topic: string, m: Message): string {
  const decode = (p: Payload | null) => {
    if (!p) return null;
    const text = textOrBase64(p);
    if (typeof text !== "string") return text;
    const json = asJson(text);
    return json.ok ? json.value : text;
  };
  const headers = m.headers.map((h) => ({ key: h.key, value: h.value && textOrBase64(h.value) }));
  return JSON.stringify(
    { topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp, key: decode(m.key), value: decode(m.value), headers, truncated: Boolean(m.value?.truncated || m.key?.truncated) },
    null,
    2,
  );
}

/** A header value as values are shown: text when it is printable UTF-8, else hex with an ASCII column. */
function HeaderValue({ value }: { value: Payload | null }) {
  if (!value) return <em className="text-slate-500">null</em>;
  const bytes = base64ToBytes(value.base64);
  const text = asText(bytes);
  if (text !== null) return <span className="whitespace-pre-wrap break-all" data-format="text">{text}</span>;
  return (
    <pre className="overflow-x-auto" data-format="hex">
      {toHex(bytes)}
    </pre>
  );
}

export function RecordDetail({ topic, message }: { topic: string; message: Message }) {
  const [loadAll, setLoadAll] = useState(false);
  const whole = useQuery({ ...recordQuery(topic, message.partition, message.offset), enabled: loadAll });
  const m = whole.data ?? message;
  const [copied, setCopied] = useState(false);
  const json = () => recordAsJson(topic, m);
  const download = () => {
    const url = URL.createObjectURL(new Blob([json()], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${topic}-${m.partition}-${m.offset}.json`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div data-testid="record-detail" className="space-y-4 p-2">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-1 text-sm">
        <span>
          partition <strong data-testid="record-partition">{m.partition}</strong>
        </span>
        <span>
          offset <strong data-testid="record-offset">{m.offset}</strong>
        </span>
        <span>{formatTimestamp(m.timestamp)}</span>
        <span className="ml-auto flex gap-2">
          <Button
            onClick={() =>
              navigator.clipboard?.writeText(json()).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
            data-testid="copy-json"
          >
            {copied ? "Copied" : "Copy JSON"}
          </Button>
          <Button onClick={download} data-testid="download-json">
            Download JSON
          </Button>
        </span>
      </div>
      {whole.error ? <Notice tone="error">{whole.error.message}</Notice> : null}
      <section>
        <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Key</h3>
        <PayloadView key={`k${whole.data ? 1 : 0}`} payload={m.key} testId="record-key" onLoadAll={() => setLoadAll(true)} loadingAll={whole.isFetching} />
      </section>
      <section>
        <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Value</h3>
        <PayloadView key={`v${whole.data ? 1 : 0}`} payload={m.value} testId="record-value" onLoadAll={() => setLoadAll(true)} loadingAll={whole.isFetching} />
      </section>
      <section>
        <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Headers</h3>
        {m.headers.length === 0 ? (
          <p className="text-sm text-slate-500">none</p>
        ) : (
          <table className="font-mono text-xs" data-testid="record-headers">
            <tbody>
              {m.headers.map((h, i) => (
                <tr key={i} data-testid={`record-header-${i}`} className="align-top">
                  <td className="py-0.5 pr-4 text-slate-500" data-testid="record-header-key">
                    {h.key}
                  </td>
                  <td className="py-0.5" data-testid="record-header-value">
                    <HeaderValue value={h.value} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
