"use client";

import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api-client";
import { auditPageSchema } from "@/lib/audit";
import { ACTIONS } from "@/lib/permissions";
import { queryKeys } from "@/lib/query-keys";
import { useSearchParamsState } from "@/lib/use-search-params-state";
import { Input, Select } from "@/components/ui/field";
import { Badge, PageHeader } from "@/components/ui/layout";
import { EmptyState, ErrorState, Loading } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";

const FILTERS = ["user", "action", "result", "target"] as const;
const AUDITED_ACTIONS = ["auth:login", "auth:logout", ...ACTIONS.filter((a) => !a.endsWith(":view"))];

/** Changes and logins, newest first (200 a page), filtered by user, action, result and topic or group; exported as JSON lines. */
export function AuditView() {
  const { params, update } = useSearchParamsState();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""]).filter(([, v]) => v)) as Record<string, string>;
  const search = new URLSearchParams(filters).toString();
  const { data, error, isPending, refetch } = useQuery({
    queryKey: queryKeys.audit(filters),
    queryFn: () => apiFetch(`/api/audit${search ? `?${search}` : ""}`, auditPageSchema),
  });
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every change asked for through this console and every login, with who, when, on which cluster and what became of it"
        actions={
          <a href={`/api/audit?${new URLSearchParams({ ...filters, format: "jsonl" })}`} download="sluice-audit.jsonl" className="text-sm underline" data-testid="audit-export">
            Export as JSON lines
          </a>
        }
      />
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <Input placeholder="User" value={params.get("user") ?? ""} onChange={(e) => update({ user: e.target.value || undefined })} data-testid="audit-user" className="w-40" />
        <Select value={params.get("action") ?? ""} onChange={(e) => update({ action: e.target.value || undefined })} data-testid="audit-action" aria-label="Action">
          <option value="">any action</option>
          {AUDITED_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
        <Select value={params.get("result") ?? ""} onChange={(e) => update({ result: e.target.value || undefined })} data-testid="audit-result" aria-label="Result">
          <option value="">any result</option>
          <option value="ok">ok</option>
          <option value="failed">failed</option>
          <option value="refused">refused</option>
        </Select>
        <Input placeholder="Topic or group" value={params.get("target") ?? ""} onChange={(e) => update({ target: e.target.value || undefined })} data-testid="audit-target" className="w-60" />
      </div>
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} onRetry={() => refetch()} />
      ) : data.entries.length === 0 ? (
        <EmptyState title="No entries">Nothing matches these filters.</EmptyState>
      ) : (
        <Table testId="audit-table">
          <thead>
            <tr>
              <Th>When</Th>
              <Th>User</Th>
              <Th>Cluster</Th>
              <Th>Action</Th>
              <Th>Topic or group</Th>
              <Th>Result</Th>
              <Th>Detail</Th>
            </tr>
          </thead>
          <tbody>
            {data.entries.map((e) => (
              <Tr key={e.id} data-testid="audit-row">
                <Td className="whitespace-nowrap">{new Date(e.atMs).toLocaleString()}</Td>
                <Td>{e.user ?? "—"}</Td>
                <Td>{e.cluster}</Td>
                <Td className="font-mono text-xs">{e.action}</Td>
                <Td className="font-mono text-xs">{e.target ?? ""}</Td>
                <Td>
                  <Badge tone={e.result === "ok" ? "good" : e.result === "refused" ? "warn" : "bad"}>
                    {e.result} {e.status}
                  </Badge>
                </Td>
                <Td className="max-w-md break-words text-xs text-slate-500">
                  {e.method} {e.path}
                  {e.detail ? ` · ${e.detail}` : ""}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
