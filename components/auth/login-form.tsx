"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { Notice } from "@/components/ui/states";

/** User name and password; a wrong pair, or too many tries, is said in words. */
export function LoginForm({ next, local, sso }: { next: string; local: boolean; sso: string | null }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await fetch("/api/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username, password }) });
      if (response.ok) {
        // A full load: the shell renders again for the user now logged in.
        window.location.assign(next);
        return;
      }
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? `login failed (HTTP ${response.status})`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    setBusy(false);
  };

  const single = sso ? (
    <a href={`/api/auth/oidc/start?${new URLSearchParams({ next })}`} className="inline-block rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium" data-testid="login-sso">
      {sso}
    </a>
  ) : null;
  if (!local)
    return (
      <div className="space-y-4" data-testid="login-form">
        <h1 className="text-xl font-semibold">Log in to Sluice</h1>
        {single}
      </div>
    );
  return (
    <form onSubmit={submit} className="space-y-4" data-testid="login-form">
      <h1 className="text-xl font-semibold">Log in to Sluice</h1>
      {single}
      <Field label="User name" name="username">
        <Input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" autoFocus data-testid="login-username" />
      </Field>
      <Field label="Password" name="password">
        <Input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" data-testid="login-password" />
      </Field>
      {error ? (
        <Notice tone="error" testId="login-error">
          {error}
        </Notice>
      ) : null}
      <Button type="submit" variant="primary" disabled={busy || !username || !password} data-testid="login-submit">
        Log in
      </Button>
    </form>
  );
}
