import { NextResponse } from "next/server";
import { handle } from "@/server/http/route";
import { openApiDocument } from "@/server/http/openapi";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.0 document of every route under /api, generated from the contracts. */
export const GET = handle(async () => NextResponse.json(openApiDocument()));
