import { NextResponse } from "next/server";
import { resetOffsetsInputSchema } from "@/lib/contracts";
import { groupParam, handle, parseBody } from "@/server/http/route";
import { previewOffsetReset } from "@/server/services/reset-group-offsets";

export const dynamic = "force-dynamic";

/** The old and new offsets a reset would commit; nothing is changed. */
export const POST = handle(async (request, _context, { clients }) =>
  NextResponse.json(await previewOffsetReset(groupParam(request), await parseBody(request, resetOffsetsInputSchema), clients)),
);
