"use client";

import { useState, type ReactNode } from "react";
import type { ConfigEntry } from "@/lib/contracts";
import { Badge } from "@/components/ui/layout";
import { Input } from "@/components/ui/field";
import { Table, Td, Th, Tr } from "@/components/ui/table";

const sourceTone = (source: string) => (source === "DEFAULT_CONFIG" ? "neutral" : source.startsWith("DYNAMIC") ? "good" : "warn");

/** Configs with their sources, filtered by `filter`; `actions` renders per-row controls (editing). */
export function ConfigTable({
  configs,
  filter,
  onFilter,
  actions,
  testId,
}: {
  configs: ConfigEntry[];
  filter: string;
  onFilter(value: string): void;
  actions?: (entry: ConfigEntry) => ReactNode;
  testId: string;
}) {
  const [showDefaults, setShowDefaults] = useState(true);
  const shown = configs.filter((c) => c.name.includes(filter.trim().toLowerCase()) && (showDefaults || !c.isDefault));
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
            {actions ? <Th /> : null}
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => (
            <Tr key={c.name} data-testid={`config-row-${c.name}`}>
              <Td className="font-mono">{c.name}</Td>
              <Td className="break-all font-mono">{c.isSensitive ? <em>sensitive</em> : (c.value ?? <em className="text-slate-400">null</em>)}</Td>
              <Td>
                <Badge tone={sourceTone(c.source)}>{c.source}</Badge> {c.readOnly ? <Badge>read-only</Badge> : null}
              </Td>
              {actions ? <Td className="whitespace-nowrap text-right">{actions(c)}</Td> : null}
            </Tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
