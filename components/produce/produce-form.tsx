"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ApiRequestError, apiFetch, jsonBody } from "@/lib/api-client";
import { PRODUCE_COUNT_MAX, produceInputSchema, produceResultSchema, type ProduceResult } from "@/lib/contracts";
import { paths } from "@/lib/paths";
import { topicQuery } from "@/lib/queries";
import { queryKeys } from "@/lib/query-keys";
import { Button } from "@/components/ui/button";
import { Field, Input, Select, Textarea } from "@/components/ui/field";
import { Card, PageHeader } from "@/components/ui/layout";
import { ErrorState, Loading, Notice } from "@/components/ui/states";

type Errors = Record<string, string>;

export function ProduceForm({ topic }: { topic: string }) {
  const queryClient = useQueryClient();
  const meta = useQuery(topicQuery(topic));
  const [partition, setPartition] = useState("auto");
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [valueFormat, setValueFormat] = useState<"json" | "text">("json");
  const [headers, setHeaders] = useState<Array<{ key: string; value: string }>>([]);
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

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    const parsed = produceInputSchema.safeParse({
      partition: partition === "auto" ? null : partition,
      key: key === "" ? null : key,
      value,
      valueFormat,
      headers,
      count,
    });
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) next[String(issue.path[0] ?? "form")] ??= issue.message;
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
            <Field label="Key" name="key" error={errors.key} hint="empty: no key">
              <Input value={key} onChange={(e) => setKey(e.target.value)} className="w-72 font-mono" data-testid="produce-key" />
            </Field>
            <Field label="Count" name="count" error={errors.count} hint={`copies of this record, at most ${PRODUCE_COUNT_MAX}`}>
              <Input type="number" min={1} max={PRODUCE_COUNT_MAX} value={count} onChange={(e) => setCount(e.target.value)} className="w-28" data-testid="produce-count" />
            </Field>
          </div>
          <Field label="Value" name="value" error={errors.value}>
            <div className="mb-1 flex gap-3 text-xs">
              {(["json", "text"] as const).map((f) => (
                <label key={f} className="flex items-center gap-1">
                  <input type="radio" name="valueFormat" checked={valueFormat === f} onChange={() => setValueFormat(f)} data-testid={`produce-format-${f}`} />
                  {f === "json" ? "JSON (validated)" : "Text"}
                </label>
              ))}
            </div>
            <Textarea rows={10} value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={Boolean(errors.value)} data-testid="produce-value" placeholder={valueFormat === "json" ? '{"hello": "world"}' : "any text"} />
          </Field>
          <div className="space-y-2">
            <div className="flex items-center gap-2 text-sm font-medium">
              Headers
              <Button variant="ghost" onClick={() => setHeaders([...headers, { key: "", value: "" }])} data-testid="produce-add-header">
                + Add header
              </Button>
            </div>
            {headers.map((h, i) => (
              <div key={i} className="flex gap-2">
                <Input placeholder="key" value={h.key} onChange={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} className="w-48 font-mono" data-testid={`produce-header-key-${i}`} />
                <Input placeholder="value" value={h.value} onChange={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} className="w-72 font-mono" data-testid={`produce-header-value-${i}`} />
                <Button variant="ghost" onClick={() => setHeaders(headers.filter((_, j) => j !== i))}>
                  Remove
                </Button>
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
          {result ? (
            <Notice tone="success" testId="produce-result">
              Written:{" "}
              {result.records.map((r) => (
                <Link key={r.partition} href={paths.record(topic, r.partition, r.offset)} className="mr-3 underline" data-testid={`produce-result-link-${r.partition}`}>
                  partition {r.partition} at offset {r.offset}
                </Link>
              ))}
            </Notice>
          ) : null}
        </form>
      </Card>
    </>
  );
}
