import { NextResponse } from "next/server";
import { auditQuerySchema } from "@/lib/audit";
import { auditStore } from "@/server/audit";
import { handle, parseQuery } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** The audit log, newest first: ?user=&action=&result=&cluster=&target=&fromMs=&toMs=&beforeId=&limit=; &format=jsonl downloads JSON lines. */
export const GET = handle(async (request) => {
  const query = parseQuery(request, auditQuerySchema);
  if (query.format === "jsonl") {
    // The export holds every entry the filters match, read a page at a time (newest first).
    const lines: string[] = [];
    for (let page = auditStore().query({ ...query, limit: 1_000 }); page.length; page = auditStore().query({ ...query, limit: 1_000, beforeId: page.at(-1)!.id }))
      for (const entry of page) lines.push(`${JSON.stringify(entry)}\n`);
    return new Response(lines.join(""), {
      headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Content-Disposition": 'attachment; filename="sluice-audit.jsonl"', "Cache-Control": "no-store" },
    });
  }
  return NextResponse.json({ entries: auditStore().query(query) }, { headers: { "Cache-Control": "no-store" } });
});
