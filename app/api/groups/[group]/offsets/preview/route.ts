import { NextResponse } from "next/server";
import { resetOffsetsInputSchema } from "@/lib/contracts";
import { groupParam, handle, parseBody } from "@/server/http/route";
import { previewOffsetReset } from "@/server/services/reset-group-offsets";

export const dynamic = "force-dynamic";

/** The old and new offsets a reset would commit; nothing is changed. */
export const POST = handle(async (request, { params }: { params: Promise<{ group: string }> }) =>
  NextResponse.json(await previewOffsetReset(await groupParam(params), await parseBody(request, resetOffsetsInputSchema))),
);
