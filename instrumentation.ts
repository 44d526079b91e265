/**
 * Next.js calls register() once when a console server starts (next start, next
 * dev). It starts the lag sampler there, in the Node.js runtime only, and not
 * while `next build` prerenders pages.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startLagSampling } = await import("./server/lag-history/start");
  startLagSampling();
}
