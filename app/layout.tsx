import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AppShell } from "@/components/layout/app-shell";
import { Providers } from "@/components/layout/providers";
import { themeScript } from "@/lib/theme";
import { cspNonce, currentSession } from "@/server/auth/current";
import "./globals.css";

export const metadata: Metadata = { title: "Sluice", description: "A web console for Apache Kafka" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [session, nonce] = await Promise.all([currentSession(), cspNonce()]);
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="antialiased">
        <Providers session={session}>
          <AppShell>{children}</AppShell>
        </Providers>
      </body>
    </html>
  );
}
