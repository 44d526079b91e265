import { LoginForm } from "@/components/auth/login-form";

export const dynamic = "force-dynamic";

/** The login page (only reachable when users are configured: middleware.ts sends it to / otherwise). */
export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only a path on this console: never an absolute URL that would send the user elsewhere after login.
  const target = typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  return <LoginForm next={target} />;
}
