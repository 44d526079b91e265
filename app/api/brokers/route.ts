import { NextResponse } from "next/server";
import { handle } from "@/server/http/route";
import { listBrokers } from "@/server/services/list-brokers";

export const dynamic = "force-dynamic";

export const GET = handle(async () => NextResponse.json({ brokers: await listBrokers() }));
