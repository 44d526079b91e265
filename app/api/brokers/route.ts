import { NextResponse } from "next/server";
import { handle } from "@/server/http/route";
import { listBrokers } from "@/server/services/list-brokers";

export const dynamic = "force-dynamic";

export const GET = handle(async (_request, _context, { clients }) => NextResponse.json({ brokers: await listBrokers(clients) }));
