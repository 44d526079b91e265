"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ApiRequestError, apiFetch, jsonBody } from "@/lib/api-client";
import { createTopicInputSchema } from "@/lib/contracts";
import { paths } from "@/lib/paths";
import { queryKeys } from "@/lib/query-keys";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { Field, Input, Textarea } from "@/components/ui/field";
import { parseConfigLines } from "@/lib/config-lines";
import { Card } from "@/components/ui/layout";
import { Notice } from "@/components/ui/states";

type Errors = Partial<Record<"name" | "partitions" | "replicationFactor" | "configs" | "form", string>>;
const FIELDS = ["name", "partitions", "replicationFactor", "configs"];

/** Validates with the same contract as the server; the server's answer (e.g. "already exists") lands on its field. */
export function CreateTopicForm({ onClose }: { onClose(): void }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [partitions, setPartitions] = useState("1");
  const [replicationFactor, setReplicationFactor] = useState("1");
  const [configText, setConfigText] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const create = useMutation({
    mutationFn: (input: unknown) => apiFetch("/api/topics", z.object({ name: z.string() }), { method: "POST", ...jsonBody(input) }),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.cluster() });
      router.push(paths.topic(created.name));
    },
    onError: (error) => {
      const field = error instanceof ApiRequestError ? error.field : undefined;
      setErrors({ [field && FIELDS.includes(field) ? field : "form"]: error.message });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const lines = parseConfigLines(configText);
    const input = { name: name.trim(), partitions, replicationFactor, configs: lines.configs };
    const parsed = createTopicInputSchema.safeParse(input);
    if (!parsed.success || lines.error) {
      const next: Errors = lines.error ? { configs: lines.error } : {};
      if (parsed.success) return setErrors(next);
      for (const issue of parsed.error.issues) next[(issue.path[0] as keyof Errors) ?? "form"] ??= issue.message;
      setErrors(next);
      return;
    }
    setErrors({});
    create.mutate(parsed.data);
  };
  return (
    <Card className="mb-6">
      <form onSubmit={submit} data-testid="create-topic-form" className="flex flex-wrap items-start gap-4" noValidate>
        <Field label="Name" name="name" error={errors.name} hint="letters, digits, '.', '_' and '-'">
          <Input data-testid="create-topic-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={Boolean(errors.name)} className="w-72" autoFocus />
        </Field>
        <Field label="Partitions" name="partitions" error={errors.partitions}>
          <Input data-testid="create-topic-partitions" type="number" min={1} value={partitions} onChange={(e) => setPartitions(e.target.value)} className="w-28" />
        </Field>
        <Field label="Replication factor" name="replicationFactor" error={errors.replicationFactor}>
          <Input data-testid="create-topic-replication" type="number" min={1} value={replicationFactor} onChange={(e) => setReplicationFactor(e.target.value)} className="w-28" />
        </Field>
        <Field label="Configs (optional)" name="configs" error={errors.configs} hint="one name=value per line, e.g. cleanup.policy=compact">
          <Textarea
            data-testid="create-topic-configs"
            value={configText}
            onChange={(e) => setConfigText(e.target.value)}
            aria-invalid={Boolean(errors.configs)}
            rows={2}
            className="w-80"
            placeholder={"retention.ms=86400000\ncleanup.policy=delete"}
          />
        </Field>
        <div className="flex gap-2 pt-6">
          <Button type="submit" variant="primary" disabled={create.isPending} data-testid="create-topic-submit">
            {create.isPending ? "Creating…" : "Create topic"}
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
        {errors.form ? (
          <div className="w-full">
            <Notice tone="error" testId="create-topic-error">
              {errors.form}
            </Notice>
          </div>
        ) : null}
      </form>
    </Card>
  );
}
