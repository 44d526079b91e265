import { NextResponse } from "next/server";
import { can } from "@/lib/permissions";
import { handle } from "@/server/http/route";
import { describeCluster } from "@/server/services/describe-cluster";

export const dynamic = "force-dynamic";

export const GET = handle(async (_request, _context, { clients, access }) =>
  NextResponse.json(await describeCluster(clients, undefined, undefined, (group) => can(access, "groups:view", { group }))),
);
