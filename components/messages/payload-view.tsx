"use client";

import { useMemo, useState, type ReactNode } from "react";
import type { Payload } from "@/lib/contracts";
import { formatBytes } from "@/lib/format";
import { asJson, asText, base64ToBytes, detectFormat, PAYLOAD_FORMATS, toHex, type PayloadFormat } from "@/lib/payload";
import { JsonTree } from "./json-tree";

/** A key or value shown as JSON, text, hex or base64: detected, and switchable. */
export function PayloadView({ payload, testId, onLoadAll, loadingAll }: { payload: Payload | null; testId: string; onLoadAll?: () => void; loadingAll?: boolean }) {
  const bytes = useMemo(() => (payload ? base64ToBytes(payload.base64) : null), [payload]);
  const detected = useMemo(() => (bytes ? detectFormat(bytes) : "text"), [bytes]);
  const [chosen, setChosen] = useState<PayloadFormat | null>(null);
  const format = chosen ?? detected;
  if (!payload || !bytes) return <p className="text-sm italic text-slate-500" data-testid={testId}>null</p>;

  let body: ReactNode;
  if (format === "json") {
    const text = asText(bytes);
    const json = text === null ? { ok: false as const } : asJson(text);
    body = json.ok ? (
      <div data-testid={`${testId}-json`} className="font-mono text-xs">
        <JsonTree value={json.value} />
      </div>
    ) : (
      <p className="text-sm text-amber-700 dark:text-amber-300">Not valid JSON{payload.truncated ? " (the value is truncated; load all to parse it)" : ""}.</p>
    );
  } else if (format === "text") {
    const text = asText(bytes);
    body = (
      <>
        {text === null ? (
          <p className="mb-2 text-xs text-amber-700 dark:text-amber-300" data-testid={`${testId}-not-text`}>
            Not plain UTF-8 text: invalid bytes show as � and control characters do not show. Hex and base64 show every byte.
          </p>
        ) : null}
        <pre data-testid={`${testId}-text`} className="whitespace-pre-wrap break-all font-mono text-xs">
          {text ?? new TextDecoder().decode(bytes)}
        </pre>
      </>
    );
  } else if (format === "hex") {
    body = <pre data-testid={`${testId}-hex`} className="overflow-x-auto font-mono text-xs">{toHex(bytes)}</pre>;
  } else {
    body = <pre data-testid={`${testId}-base64`} className="whitespace-pre-wrap break-all font-mono text-xs">{payload.base64}</pre>;
  }

  return (
    <div data-testid={testId} data-format={format}>
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs">
        {PAYLOAD_FORMATS.map((f) => (
          <button
            key={f}
            type="button"
            data-testid={`${testId}-format-${f}`}
            onClick={() => setChosen(f)}
            className={`rounded px-2 py-0.5 ${f === format ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900" : "bg-slate-100 dark:bg-slate-800"}`}
          >
            {f}
          </button>
        ))}
        <span className="text-slate-500">
          {formatBytes(payload.sizeBytes)}
          {` · detected ${detected}`}
        </span>
        {payload.truncated ? (
          <span className="text-amber-700 dark:text-amber-300">
            showing the first {formatBytes(bytes.length)}{" "}
            {onLoadAll ? (
              <button type="button" className="underline" onClick={onLoadAll} disabled={loadingAll} data-testid={`${testId}-load-all`}>
                {loadingAll ? "loading…" : "load all"}
              </button>
            ) : null}
          </span>
        ) : null}
      </div>
      <div className="max-h-[32rem] overflow-auto rounded-md bg-slate-50 p-3 dark:bg-slate-950">{body}</div>
    </div>
  );
}
