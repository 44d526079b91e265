import { LoginForm } from "@/components/auth/login-form";
import { consoleConfig } from "@/server/config/load";

export const dynamic = "force-dynamic";

/** The login page (shown in place of any page until one logs in; middleware.ts sends /login to / when no users are configured). */
export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only a path on this console: never an absolute URL that would send the user elsewhere after login.
  const target = typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  const config = consoleConfig();
  return <LoginForm next={target} local={config.users.length > 0} sso={config.oidc ? config.oidc.label : null} />;
}
