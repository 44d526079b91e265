"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import type { SessionInfo } from "@/lib/permissions";
import { makeQueryClient } from "@/lib/query-client";
import { AccessProvider } from "./access";

export function Providers({ session, children }: { session: SessionInfo; children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={client}>
      <AccessProvider session={session}>{children}</AccessProvider>
    </QueryClientProvider>
  );
}
