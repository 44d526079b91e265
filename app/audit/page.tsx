import { Suspense } from "react";
import { AuditView } from "@/components/audit/audit-view";

export const dynamic = "force-dynamic";

/** The audit log (middleware.ts lets only users with audit:view in). */
export default function AuditPage() {
  return (
    <Suspense>
      <AuditView />
    </Suspense>
  );
}
