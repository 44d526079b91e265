import { NextResponse } from "next/server";
import { can } from "@/lib/permissions";
import { handle } from "@/server/http/route";
import { listConsumerGroups } from "@/server/services/list-groups";

export const dynamic = "force-dynamic";

/** Consumer groups with state, members, topics and lag; `supported: false` on clusters without group APIs. */
export const GET = handle(async (_request, _context, { clients, access }) => {
  const list = await listConsumerGroups(clients);
  // Groups the user may not view are left out (their count too).
  const groups = list.groups.filter((g) => can(access, "groups:view", { group: g.groupId }));
  return NextResponse.json({ ...list, groups, total: list.total - (list.groups.length - groups.length) });
});
