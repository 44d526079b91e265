import { NextResponse } from "next/server";
import { groupListQuerySchema } from "@/lib/group-list";
import { can } from "@/lib/permissions";
import { handle, parseQuery } from "@/server/http/route";
import { groupListPage } from "@/server/services/group-list-page";

export const dynamic = "force-dynamic";

/**
 * One page of the groups list over every sampled group, for ?q=&status=&state=&sort=&dir=&page=
 * (see lib/group-list.ts). Not under /api/groups/, where any segment is a group id.
 */
export const GET = handle(async (request, _context, { clients, access }) =>
  NextResponse.json(
    await groupListPage(parseQuery(request, groupListQuerySchema), clients, undefined, undefined, (groupId) => can(access, "groups:view", { group: groupId })),
  ),
);
