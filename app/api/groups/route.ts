import { NextResponse } from "next/server";
import { handle } from "@/server/http/route";
import { listConsumerGroups } from "@/server/services/list-groups";

export const dynamic = "force-dynamic";

/** Consumer groups with state, members, topics and lag; `supported: false` on clusters without group APIs. */
export const GET = handle(async (_request, _context, { clients }) => NextResponse.json(await listConsumerGroups(clients)));
