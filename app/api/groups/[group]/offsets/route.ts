import { NextResponse } from "next/server";
import { applyOffsetsInputSchema } from "@/lib/contracts";
import { groupParam, handle, parseBody } from "@/server/http/route";
import { applyOffsetReset } from "@/server/services/reset-group-offsets";

export const dynamic = "force-dynamic";

/** Commits previewed offsets for an empty group (409 while it has members). */
export const PUT = handle(async (request, _context, { clients }) =>
  NextResponse.json(await applyOffsetReset(groupParam(request), await parseBody(request, applyOffsetsInputSchema), clients)),
);
