/**
 * Safe by default: a console without users serves only on loopback. Serving
 * anyone else without a login takes SLUICE_ALLOW_UNAUTHENTICATED=true, and
 * scripts/start.mjs warns when it is set.
 */
export const unauthenticatedAllowed = (env: NodeJS.ProcessEnv = process.env) => env.SLUICE_ALLOW_UNAUTHENTICATED === "true";

/** True for localhost, 127.0.0.0/8 and ::1, with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
  return name === "localhost" || name === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
