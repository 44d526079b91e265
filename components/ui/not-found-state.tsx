import Link from "next/link";
import type { ReactNode } from "react";

/**
 * A permanent not-found, said plainly: no "Try again" (asking again gives the
 * same answer), and a way back to the list the missing thing would be in.
 */
export function NotFoundState({ title, children, back }: { title: ReactNode; children?: ReactNode; back: { href: string; label: string } }) {
  return (
    <div data-testid="not-found" className="py-16 text-center">
      <h1 className="break-all text-2xl font-semibold">{title}</h1>
      {children ? <div className="mt-2 text-sm text-slate-500">{children}</div> : null}
      <Link href={back.href} className="mt-4 inline-block underline" data-testid="not-found-back">
        {back.label}
      </Link>
    </div>
  );
}
