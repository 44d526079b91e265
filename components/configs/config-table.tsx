"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { ConfigEntry } from "@/lib/contracts";
import { configChoices, configDescription, humanConfigValue } from "@/lib/config-docs";
import { Badge } from "@/components/ui/layout";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/field";
import { Table, Td, Th, Tr } from "@/components/ui/table";

const sourceTone = (source: string) => (source === "DEFAULT_CONFIG" ? "neutral" : source.startsWith("DYNAMIC") ? "good" : "warn");

/** How a table's rows may be changed: which rows, and the call that changes them (null removes a value). */
export interface ConfigEditing {
  canEdit(entry: ConfigEntry): boolean;
  canReset(entry: ConfigEntry): boolean;
  /** What a reset does, said on its button's tooltip. */
  resetHint: string;
  alter(set: Record<string, string | null>): Promise<unknown>;
}

type Change = { name: string; value: string | null };

/**
 * Configs with their sources and what each means, filtered by `filter`. With
 * `editing`, rows can be edited (a select box for configs with a fixed set of
 * values) and reset; a refused change shows its reason on its own row.
 */
export function ConfigTable({
  configs,
  filter,
  onFilter,
  editing,
  testId,
}: {
  configs: ConfigEntry[];
  filter: string;
  onFilter(value: string): void;
  editing?: ConfigEditing;
  testId: string;
}) {
  const [showDefaults, setShowDefaults] = useState(true);
  const [draft, setDraft] = useState<{ name: string; value: string } | null>(null);
  const change = useMutation({
    mutationFn: ({ name, value }: Change) => editing!.alter({ [name]: value }),
    onSuccess: () => setDraft(null),
  });
  const shown = configs.filter((c) => c.name.includes(filter.trim().toLowerCase()) && (showDefaults || !c.isDefault));
  const edit = (name: string, value: string) => {
    change.reset();
    setDraft({ name, value });
  };
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <Input placeholder="Filter configs" value={filter} onChange={(e) => onFilter(e.target.value)} data-testid="config-filter" className="w-72" />
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={showDefaults} onChange={(e) => setShowDefaults(e.target.checked)} /> show defaults
        </label>
        <span className="text-xs text-slate-500">
          {shown.length} of {configs.length}
        </span>
      </div>
      <Table testId={testId}>
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Value</Th>
            <Th>Source</Th>
            {editing ? <Th /> : null}
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => {
            const description = configDescription(c.name);
            const human = c.isSensitive ? null : humanConfigValue(c.name, c.value);
            const choices = configChoices(c.name, draft?.name === c.name ? draft.value : c.value);
            const isDraft = draft?.name === c.name;
            const error = change.isError && change.variables?.name === c.name ? change.error.message : null;
            return (
              <Tr key={c.name} data-testid={`config-row-${c.name}`}>
                <Td className="max-w-md">
                  <div className="font-mono">{c.name}</div>
                  {description ? (
                    <div className="mt-0.5 text-xs text-slate-500" data-testid="config-description">
                      {description}
                    </div>
                  ) : null}
                </Td>
                <Td>
                  {isDraft ? (
                    <form
                      className="flex flex-wrap items-center gap-1"
                      onSubmit={(e) => {
                        e.preventDefault();
                        change.mutate({ name: c.name, value: draft.value });
                      }}
                    >
                      {choices ? (
                        <Select value={draft.value} onChange={(e) => edit(c.name, e.target.value)} className="font-mono" data-testid="config-edit-value" autoFocus>
                          {choices.map((choice) => (
                            <option key={choice} value={choice}>
                              {choice}
                            </option>
                          ))}
                        </Select>
                      ) : (
                        <Input value={draft.value} onChange={(e) => edit(c.name, e.target.value)} className="w-48 font-mono" data-testid="config-edit-value" autoFocus />
                      )}
                      <Button type="submit" variant="primary" disabled={change.isPending} data-testid="config-save">
                        Save
                      </Button>
                      <Button onClick={() => (change.reset(), setDraft(null))}>Cancel</Button>
                    </form>
                  ) : (
                    <>
                      <span className="break-all font-mono">{c.isSensitive ? <em>sensitive</em> : (c.value ?? <em className="text-slate-400">null</em>)}</span>
                      {human ? (
                        <span className="ml-2 whitespace-nowrap text-xs text-slate-500" data-testid="config-human-value">
                          {human}
                        </span>
                      ) : null}
                    </>
                  )}
                  {error ? (
                    <p role="alert" className="mt-1 max-w-md break-words text-xs text-red-600 dark:text-red-400" data-testid="config-row-error">
                      {error}
                    </p>
                  ) : null}
                </Td>
                <Td>
                  <Badge tone={sourceTone(c.source)}>{c.source}</Badge> {c.readOnly ? <Badge>read-only</Badge> : null}
                </Td>
                {editing ? (
                  <Td className="whitespace-nowrap text-right">
                    {isDraft ? null : (
                      <span className="flex justify-end gap-1">
                        {editing.canEdit(c) ? (
                          <Button variant="ghost" onClick={() => edit(c.name, c.value ?? "")} data-testid={`config-edit-${c.name}`}>
                            Edit
                          </Button>
                        ) : null}
                        {editing.canReset(c) ? (
                          <Button
                            variant="ghost"
                            disabled={change.isPending}
                            onClick={() => change.mutate({ name: c.name, value: null })}
                            title={editing.resetHint}
                            data-testid={`config-reset-${c.name}`}
                          >
                            Reset
                          </Button>
                        ) : null}
                      </span>
                    )}
                  </Td>
                ) : null}
              </Tr>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}
