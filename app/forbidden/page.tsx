import Link from "next/link";

export const dynamic = "force-dynamic";

/** What middleware.ts shows (with HTTP 403) for a page the user may not open, with the reason. */
export default async function ForbiddenPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { reason } = await searchParams;
  return (
    <div role="alert" data-testid="forbidden" className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200">
      <p className="font-medium">Not allowed</p>
      <p className="mt-1 break-words">{reason ?? "Your roles do not allow this page."}</p>
      <Link href="/" className="mt-2 inline-block underline">
        Overview
      </Link>
    </div>
  );
}
