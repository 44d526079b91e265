/**
 * Next.js calls register() once when a console server starts (next start, next
 * dev). It validates the configuration file (SLUICE_CONFIG) and stops the
 * server on a bad one, then starts the lag sampler, in the Node.js runtime
 * only, and not while `next build` prerenders pages.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { checkConfigAtStart } = await import("./server/config/start");
  if (!checkConfigAtStart()) process.exit(1);
  const { startLagSampling } = await import("./server/lag-history/start");
  startLagSampling();
}
