"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { ApiRequestError, apiFetch, jsonBody } from "@/lib/api-client";
import { PRODUCE_COUNT_MAX, produceInputSchema, produceResultSchema, type ProduceResult } from "@/lib/contracts";
import { formatNumber } from "@/lib/format";
import { paths } from "@/lib/paths";
import type { InputFormat } from "@/lib/payload";
import { topicQuery } from "@/lib/queries";
import { queryKeys } from "@/lib/query-keys";
import { Button } from "@/components/ui/button";
import { Field, FieldNote, Input, Select, Textarea } from "@/components/ui/field";
import { Card, PageHeader } from "@/components/ui/layout";
import { ErrorState, Loading, Notice } from "@/components/ui/states";

/** Errors by field path as the API names them: "value", "headers.1.key", or "form" for the record as a whole. */
type Errors = Record<string, string>;

type HeaderFormat = "text" | "base64" | "null";
interface HeaderDraft {
  key: string;
  value: string;
  format: HeaderFormat;
}

const FORMAT_LABELS: Record<InputFormat, string> = { text: "Text (UTF-8)", json: "JSON (validated)", base64: "Base64 (bytes)" };

/** Radio buttons choosing how a typed key or value becomes bytes. */
function FormatChoice({ name, value, onChange, disabled }: { name: "key" | "value"; value: InputFormat; onChange: (f: InputFormat) => void; disabled?: boolean }) {
  return (
    <div className="flex gap-3 text-xs" role="radiogroup" aria-label={`${name} format`}>
      {(["text", "json", "base64"] as const).map((f) => (
        <label key={f} className="flex items-center gap-1">
          <input type="radio" name={`${name}Format`} checked={value === f} disabled={disabled} onChange={() => onChange(f)} data-testid={`produce-${name}-format-${f}`} />
          {FORMAT_LABELS[f]}
        </label>
      ))}
    </div>
  );
}

/**
 * A key or value: its label and format choice above the control, the error
 * below. Not a Field: a <label> around the radios would send clicks on the
 * label to the first radio.
 */
function PayloadField({ name, label, error, hint, controls, children }: { name: "key" | "value"; label: string; error?: string; hint?: string; controls: ReactNode; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1 text-sm">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-1">
        <label htmlFor={`produce-${name}`} className="font-medium text-slate-700 dark:text-slate-300">
          {label}
        </label>
        {controls}
      </div>
      {children}
      <FieldNote name={name} hint={hint} error={error} />
    </div>
  );
}

/** Consecutive offsets of one partition, as the result lists them. */
interface OffsetRun {
  partition: number;
  first: number;
  last: number;
}

function offsetRuns(records: ProduceResult["records"]): OffsetRun[] {
  const byPartition = new Map<number, number[]>();
  for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.offset]);
  const runs: OffsetRun[] = [];
  for (const [partition, offsets] of [...byPartition].sort(([a], [b]) => a - b))
    for (const offset of [...offsets].sort((a, b) => a - b)) {
      const last = runs.at(-1);
      if (last && last.partition === partition && last.last === offset - 1) last.last = offset;
      else runs.push({ partition, first: offset, last: offset });
    }
  return runs;
}

function ProduceResultNotice({ topic, result }: { topic: string; result: ProduceResult }) {
  const runs = offsetRuns(result.records);
  return (
    <Notice tone="success" testId="produce-result">
      <p>
        Written: {formatNumber(result.records.length)} record{result.records.length === 1 ? "" : "s"}
      </p>
      <ul className="mt-1 space-y-0.5">
        {runs.map((run) => (
          <li key={`${run.partition}:${run.first}`} data-testid={`produce-result-partition-${run.partition}`}>
            <Link href={paths.record(topic, run.partition, run.first)} className="underline" data-testid={`produce-result-link-${run.partition}`}>
              {run.first === run.last
                ? `partition ${run.partition} at offset ${run.first}`
                : `partition ${run.partition}, offsets ${run.first} to ${run.last} (${formatNumber(run.last - run.first + 1)} records)`}
            </Link>
          </li>
        ))}
      </ul>
    </Notice>
  );
}

export function ProduceForm({ topic }: { topic: string }) {
  const queryClient = useQueryClient();
  const meta = useQuery(topicQuery(topic));
  const [partition, setPartition] = useState("auto");
  const [key, setKey] = useState("");
  const [keyFormat, setKeyFormat] = useState<InputFormat>("text");
  const [value, setValue] = useState("");
  const [valueFormat, setValueFormat] = useState<InputFormat>("json");
  const [tombstone, setTombstone] = useState(false);
  const [headers, setHeaders] = useState<HeaderDraft[]>([]);
  const [count, setCount] = useState("1");
  const [errors, setErrors] = useState<Errors>({});
  const [result, setResult] = useState<ProduceResult | null>(null);

  const produce = useMutation({
    mutationFn: (input: unknown) => apiFetch(`${paths.api.topic(topic)}/messages`, produceResultSchema, { method: "POST", ...jsonBody(input) }),
    onSuccess: async (r) => {
      setResult(r);
      await queryClient.invalidateQueries({ queryKey: queryKeys.topic(topic) });
    },
    onError: (error) => setErrors({ [error instanceof ApiRequestError && error.field ? error.field : "form"]: error.message }),
  });

  const setHeader = (i: number, change: Partial<HeaderDraft>) => setHeaders(headers.map((h, j) => (j === i ? { ...h, ...change } : h)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    const parsed = produceInputSchema.safeParse({
      partition: partition === "auto" ? null : partition,
      key: key === "" ? null : key,
      keyFormat,
      value: tombstone ? null : value,
      valueFormat,
      headers: headers.map((h) => ({ key: h.key, value: h.format === "null" ? null : h.value, valueFormat: h.format === "null" ? "text" : h.format })),
      count,
    });
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) next[issue.path.join(".") || "form"] ??= issue.message;
      setErrors(next);
      return;
    }
    setErrors({});
    produce.mutate(parsed.data);
  };

  if (meta.isPending) return <Loading />;
  if (meta.error) return <ErrorState error={meta.error} onRetry={() => meta.refetch()} />;

  return (
    <>
      <PageHeader
        title={`Produce to ${topic}`}
        subtitle={
          <Link className="underline" href={paths.topic(topic)}>
            Back to the topic
          </Link>
        }
      />
      <Card>
        <form onSubmit={submit} className="space-y-4" data-testid="produce-form" noValidate>
          <div className="flex flex-wrap gap-4">
            <Field label="Partition" name="partition" error={errors.partition}>
              <Select value={partition} onChange={(e) => setPartition(e.target.value)} data-testid="produce-partition">
                <option value="auto">Automatic (by key)</option>
                {meta.data.partitionList.map((p) => (
                  <option key={p.partition} value={p.partition}>
                    {p.partition}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Count" name="count" error={errors.count} hint={`copies of this record, at most ${PRODUCE_COUNT_MAX}`}>
              <Input type="number" min={1} max={PRODUCE_COUNT_MAX} value={count} onChange={(e) => setCount(e.target.value)} className="w-28" data-testid="produce-count" />
            </Field>
          </div>
          <PayloadField name="key" label="Key" error={errors.key} hint="empty: no key" controls={<FormatChoice name="key" value={keyFormat} onChange={setKeyFormat} />}>
            <Input id="produce-key" value={key} onChange={(e) => setKey(e.target.value)} aria-invalid={Boolean(errors.key)} className="w-full max-w-xl font-mono" data-testid="produce-key" />
          </PayloadField>
          <PayloadField
            name="value"
            label="Value"
            error={errors.value}
            hint={tombstone ? "no value: on a compacted topic, a tombstone deletes the key" : undefined}
            controls={
              <>
                <FormatChoice name="value" value={valueFormat} onChange={setValueFormat} disabled={tombstone} />
                <label className="flex items-center gap-1 text-xs">
                  <input type="checkbox" checked={tombstone} onChange={(e) => setTombstone(e.target.checked)} data-testid="produce-tombstone" />
                  Null value (tombstone)
                </label>
              </>
            }
          >
            <Textarea
              id="produce-value"
              rows={10}
              value={tombstone ? "" : value}
              disabled={tombstone}
              onChange={(e) => setValue(e.target.value)}
              aria-invalid={Boolean(errors.value)}
              data-testid="produce-value"
              placeholder={tombstone ? "null" : valueFormat === "json" ? '{"hello": "world"}' : valueFormat === "base64" ? "AAECAw==" : "any text"}
              className="disabled:opacity-50"
            />
          </PayloadField>
          <div className="space-y-2">
            <div className="flex items-center gap-2 text-sm font-medium">
              Headers
              <span className="text-xs font-normal text-slate-500">in order; a key may repeat</span>
              <Button variant="ghost" onClick={() => setHeaders([...headers, { key: "", value: "", format: "text" }])} data-testid="produce-add-header">
                + Add header
              </Button>
            </div>
            {headers.map((h, i) => (
              <div key={i} className="space-y-1" data-testid={`produce-header-${i}`}>
                <div className="flex flex-wrap gap-2">
                  <Input
                    placeholder="key"
                    aria-label={`header ${i + 1} key`}
                    aria-invalid={Boolean(errors[`headers.${i}.key`])}
                    value={h.key}
                    onChange={(e) => setHeader(i, { key: e.target.value })}
                    className="w-48 font-mono"
                    data-testid={`produce-header-key-${i}`}
                  />
                  <Input
                    placeholder={h.format === "null" ? "null" : "value"}
                    aria-label={`header ${i + 1} value`}
                    aria-invalid={Boolean(errors[`headers.${i}.value`])}
                    value={h.format === "null" ? "" : h.value}
                    disabled={h.format === "null"}
                    onChange={(e) => setHeader(i, { value: e.target.value })}
                    className="w-72 font-mono disabled:opacity-50"
                    data-testid={`produce-header-value-${i}`}
                  />
                  <Select aria-label={`header ${i + 1} value format`} value={h.format} onChange={(e) => setHeader(i, { format: e.target.value as HeaderFormat })} data-testid={`produce-header-format-${i}`}>
                    <option value="text">Text</option>
                    <option value="base64">Base64</option>
                    <option value="null">Null (no value)</option>
                  </Select>
                  <Button variant="ghost" onClick={() => setHeaders(headers.filter((_, j) => j !== i))}>
                    Remove
                  </Button>
                </div>
                {(["key", "value"] as const).map((part) =>
                  errors[`headers.${i}.${part}`] ? (
                    <p key={part} role="alert" className="text-xs text-red-600 dark:text-red-400" data-testid={`field-error-headers.${i}.${part}`}>
                      {errors[`headers.${i}.${part}`]}
                    </p>
                  ) : null,
                )}
              </div>
            ))}
            {errors.headers ? <p className="text-xs text-red-600" data-testid="field-error-headers">{errors.headers}</p> : null}
          </div>
          <div className="flex items-center gap-3">
            <Button type="submit" variant="primary" disabled={produce.isPending} data-testid="produce-submit">
              {produce.isPending ? "Producing…" : "Produce"}
            </Button>
          </div>
          {errors.form ? (
            <Notice tone="error" testId="produce-error">
              {errors.form}
            </Notice>
          ) : null}
          {result ? <ProduceResultNotice topic={topic} result={result} /> : null}
        </form>
      </Card>
    </>
  );
}
