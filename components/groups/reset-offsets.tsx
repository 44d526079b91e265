"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch, ApiRequestError, jsonBody } from "@/lib/api-client";
import { isResettable, resetPreviewSchema, type GroupDetail, type ResetPreview, type ResetStrategy } from "@/lib/contracts";
import { datetimeLocalValue, formatNumber, utcOffset } from "@/lib/format";
import { paths } from "@/lib/paths";
import { queryKeys } from "@/lib/query-keys";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field, Input, Select } from "@/components/ui/field";
import { Card } from "@/components/ui/layout";
import { Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";

const STRATEGIES: Array<{ id: ResetStrategy; label: string }> = [
  { id: "earliest", label: "Earliest (log start)" },
  { id: "latest", label: "Latest (skip everything)" },
  { id: "timestamp", label: "A point in time" },
  { id: "offset", label: "A specific offset" },
  { id: "shift", label: "Shift by N records" },
];

/** Rows of a preview shown in the browser; a reset of more partitions is applied whole but listed in part. */
const PREVIEW_ROWS_MAX = 200;

/** The topic select's choice for a topic the group has not committed yet; a space is not valid in a topic name, so it names no topic. */
const OTHER_TOPIC = " other";

/** How far back the time field starts: a reset "to an hour ago" is the common replay. */
const TIME_PREFILL_MS = 60 * 60 * 1000;

/** The browser's time zone as a user reads it: "Europe/Berlin, UTC+01:00". */
function localZone(): string {
  const utc = `UTC${utcOffset(Date.now())}`;
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return name && name !== "UTC" ? `${name}, ${utc}` : utc;
}

/**
 * Resetting a group's offsets in two steps: a preview of old and new offsets
 * (nothing changes), then applying exactly what was previewed. Only for a
 * group without members; the server checks that again when applying.
 */
export function ResetOffsets({ group, onClose }: { group: GroupDetail; onClose(): void }) {
  const queryClient = useQueryClient();
  // "" is every committed topic; OTHER_TOPIC opens a text field for a topic the group has no offsets on yet.
  const [topicChoice, setTopicChoice] = useState(group.topics.length ? "" : OTHER_TOPIC);
  const [otherTopic, setOtherTopic] = useState("");
  const topic = topicChoice === OTHER_TOPIC ? otherTopic.trim() : topicChoice;
  const [partition, setPartition] = useState("");
  const [strategy, setStrategy] = useState<ResetStrategy>("earliest");
  const [value, setValue] = useState("");
  const [preview, setPreview] = useState<ResetPreview | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const resettable = isResettable(group.state);

  const input = () => {
    const body: Record<string, unknown> = { strategy };
    if (topic) body.topic = topic;
    if (partition.trim()) body.partition = partition.trim();
    if (strategy === "timestamp") body.timestamp = value ? new Date(value).getTime() : undefined;
    if (strategy === "offset") body.offset = value.trim() || undefined;
    if (strategy === "shift") body.shift = value.trim() || undefined;
    return body;
  };
  const previewing = useMutation({
    mutationFn: () => apiFetch(`${paths.api.group(group.groupId)}/offsets/preview`, resetPreviewSchema, { method: "POST", ...jsonBody(input()) }),
    onMutate: () => (setPreview(null), setDone(null)),
    onSuccess: setPreview,
  });
  const applying = useMutation({
    mutationFn: (p: ResetPreview) =>
      apiFetch(`${paths.api.group(group.groupId)}/offsets`, resetPreviewSchema, {
        method: "PUT",
        ...jsonBody({ offsets: p.changes.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.target })) }),
      }),
    onSuccess: async (r) => {
      setConfirming(false);
      setPreview(null);
      setDone(`Committed ${r.changes.length} offset${r.changes.length === 1 ? "" : "s"} for ${group.groupId}.`);
      await queryClient.invalidateQueries({ queryKey: queryKeys.cluster() });
    },
    onError: () => setConfirming(false),
  });

  const error = previewing.error ?? applying.error;
  const fieldError = (name: string) => (error instanceof ApiRequestError && error.field === name ? error.message : null);
  const valueField = { timestamp: "timestamp", offset: "offset", shift: "shift" }[strategy as string];
  const changed = preview?.changes.filter((c) => c.current !== c.target).length ?? 0;

  return (
    <Card className="mb-6">
      <div data-testid="reset-offsets" className="space-y-4">
        <div className="flex items-center justify-between">
          <h2 className="font-semibold">Reset offsets</h2>
          <Button variant="ghost" onClick={onClose} data-testid="reset-close">
            Close
          </Button>
        </div>
        {!resettable ? (
          <Notice tone="error" testId="reset-not-empty">
            The group is {group.state} with {group.members.length} member{group.members.length === 1 ? "" : "s"}. Offsets can be reset only while it is empty: stop its
            consumers first (a running consumer would overwrite the new offsets with its next commit).
          </Notice>
        ) : null}
        <form
          className="flex flex-wrap items-start gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            previewing.mutate();
          }}
        >
          <Field label="Topic" name="topic" error={topicChoice === OTHER_TOPIC ? null : fieldError("topic")} hint={topic ? undefined : "the partitions the group committed"}>
            <Select value={topicChoice} onChange={(e) => (setTopicChoice(e.target.value), setPartition(""))} data-testid="reset-topic" className="w-64">
              {group.topics.length ? <option value="">All committed topics ({group.topics.length})</option> : null}
              {group.topics.map((t) => (
                <option key={t.topic} value={t.topic}>
                  {t.topic}
                </option>
              ))}
              <option value={OTHER_TOPIC}>Another topic…</option>
            </Select>
          </Field>
          {topicChoice === OTHER_TOPIC ? (
            <Field label="Topic name" name="topic" error={fieldError("topic")} hint="all its partitions, or the one below">
              <Input value={otherTopic} onChange={(e) => setOtherTopic(e.target.value)} data-testid="reset-topic-other" className="w-56" autoFocus={group.topics.length > 0} />
            </Field>
          ) : null}
          <Field label="Partition" name="partition" error={fieldError("partition")} hint={topic ? "empty: all partitions" : "choose a topic first"}>
            <Input value={partition} onChange={(e) => setPartition(e.target.value)} disabled={!topic} data-testid="reset-partition" className="w-28" inputMode="numeric" />
          </Field>
          <Field label="Reset to" name="strategy" error={fieldError("strategy")}>
            <Select
              value={strategy}
              onChange={(e) => {
                const next = e.target.value as ResetStrategy;
                setStrategy(next);
                setValue(next === "timestamp" ? datetimeLocalValue(Date.now() - TIME_PREFILL_MS) : "");
              }}
              data-testid="reset-strategy"
            >
              {STRATEGIES.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </Select>
          </Field>
          {valueField ? (
            <Field
              label={{ timestamp: `Time (${localZone()})`, offset: "Offset", shift: "Records (negative goes back)" }[valueField]!}
              name={valueField}
              error={fieldError(valueField)}
              hint={strategy === "shift" ? "from the committed offset, or the log start" : strategy === "offset" ? "kept within each partition's log" : "the first record at or after it; an hour ago to start"}
            >
              <Input
                type={strategy === "timestamp" ? "datetime-local" : "text"}
                step={strategy === "timestamp" ? 1 : undefined}
                inputMode={strategy === "timestamp" ? undefined : "numeric"}
                value={value}
                onChange={(e) => setValue(e.target.value)}
                data-testid="reset-value"
                className="w-56"
              />
            </Field>
          ) : null}
          <div className="pt-6">
            <Button type="submit" variant="primary" disabled={!resettable || previewing.isPending} data-testid="reset-preview">
              {previewing.isPending ? "Previewing…" : "Preview"}
            </Button>
          </div>
        </form>
        {error && !(error instanceof ApiRequestError && error.field) ? (
          <Notice tone="error" testId="reset-error">
            {error.message}
          </Notice>
        ) : null}
        {done ? (
          <Notice tone="success" testId="reset-done">
            {done}
          </Notice>
        ) : null}
        {preview ? (
          <div className="space-y-3" data-testid="reset-preview-table">
            <p className="text-sm text-slate-600 dark:text-slate-400">
              {changed} of {preview.changes.length} partition{preview.changes.length === 1 ? "" : "s"} would change. Nothing is committed until you apply.
            </p>
            <Table>
              <thead>
                <tr>
                  <Th>Topic</Th>
                  <Th className="text-right">Partition</Th>
                  <Th className="text-right">Current offset</Th>
                  <Th className="text-right">New offset</Th>
                  <Th className="text-right">Change</Th>
                  <Th className="text-right">Lag after</Th>
                </tr>
              </thead>
              <tbody>
                {preview.changes.slice(0, PREVIEW_ROWS_MAX).map((c) => (
                  <Tr key={`${c.topic}/${c.partition}`} data-testid={`reset-row-${c.topic}-${c.partition}`}>
                    <Td>{c.topic}</Td>
                    <Td className="text-right tabular-nums">{c.partition}</Td>
                    <Td className="text-right tabular-nums" data-testid="reset-current">
                      {c.current === null ? "none" : formatNumber(c.current)}
                    </Td>
                    <Td className="text-right font-semibold tabular-nums" data-testid="reset-target">
                      {formatNumber(c.target)}
                    </Td>
                    <Td className="text-right tabular-nums">{c.current === null ? "–" : `${c.target - c.current > 0 ? "+" : ""}${formatNumber(c.target - c.current)}`}</Td>
                    <Td className="text-right tabular-nums">{formatNumber(c.end - c.target)}</Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
            {preview.changes.length > PREVIEW_ROWS_MAX ? <p className="text-sm text-slate-500">and {formatNumber(preview.changes.length - PREVIEW_ROWS_MAX)} more partitions.</p> : null}
            <Button variant="danger" onClick={() => setConfirming(true)} disabled={applying.isPending} data-testid="reset-apply">
              Apply to {preview.changes.length} partition{preview.changes.length === 1 ? "" : "s"}
            </Button>
          </div>
        ) : null}
        {confirming && preview ? (
          <ConfirmDialog
            title="Commit the new offsets?"
            confirmLabel="Commit offsets"
            busy={applying.isPending}
            onConfirm={() => applying.mutate(preview)}
            onCancel={() => setConfirming(false)}
            testId="reset-confirm"
          >
            The group <strong>{group.groupId}</strong> will resume from the new offsets on {preview.changes.length} partition{preview.changes.length === 1 ? "" : "s"}. Records before them
            are skipped and records after them are read again.
          </ConfirmDialog>
        ) : null}
      </div>
    </Card>
  );
}
