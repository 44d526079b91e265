"use client";

import { createContext, useContext, type ReactNode } from "react";
import { decide, type Action, type Decision, type Resource, type SessionInfo } from "@/lib/permissions";

const AccessContext = createContext<SessionInfo | null>(null);

/** The session the server rendered the page for: who is logged in and their grants on the cluster shown. */
export function AccessProvider({ session, children }: { session: SessionInfo; children: ReactNode }) {
  return <AccessContext.Provider value={session}>{children}</AccessContext.Provider>;
}

export function useSession(): SessionInfo | null {
  return useContext(AccessContext);
}

/**
 * Whether the user may do `action` on `resource`, decided as the server will
 * decide it (lib/permissions.ts). Without a provider (no session known) everything is allowed: the server still refuses.
 */
export function usePermission(action: Action, resource: Resource = {}): Decision {
  const session = useContext(AccessContext);
  return session ? decide(session.access, action, resource) : { allowed: true };
}

/** Says which controls are missing here and why (read-only, or the permission the user's roles lack). */
export function NotAllowed({ controls, testId = "not-allowed" }: { controls: Array<{ what: string; decision: Decision }>; testId?: string }) {
  const byReason = new Map<string, string[]>();
  for (const { what, decision } of controls) if (!decision.allowed) byReason.set(decision.reason, [...(byReason.get(decision.reason) ?? []), what]);
  if (byReason.size === 0) return null;
  return (
    <div className="max-w-md text-right text-xs text-slate-500" data-testid={testId}>
      {[...byReason].map(([reason, whats]) => (
        <p key={reason}>
          {whats.join(", ")}: not available, {reason}.
        </p>
      ))}
    </div>
  );
}
