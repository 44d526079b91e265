"use client";

import { useState, type ReactNode } from "react";
import { Button } from "./button";
import { Input } from "./field";

/**
 * A modal confirmation. With `typeToConfirm`, the action stays disabled until
 * the user types that text (used for purging and deleting a topic).
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  typeToConfirm,
  busy,
  onConfirm,
  onCancel,
  testId,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  typeToConfirm?: string;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
  testId: string;
}) {
  const [typed, setTyped] = useState("");
  const ready = !typeToConfirm || typed === typeToConfirm;
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-950/50 p-4" role="dialog" aria-modal="true" aria-label={title}>
      <div data-testid={testId} className="w-full max-w-md rounded-lg bg-white p-5 shadow-xl dark:bg-slate-900">
        <h2 className="text-lg font-semibold">{title}</h2>
        <div className="mt-2 text-sm text-slate-600 dark:text-slate-300">{children}</div>
        {typeToConfirm ? (
          <label className="mt-4 flex flex-col gap-1 text-sm">
            <span>
              Type <code className="font-mono">{typeToConfirm}</code> to confirm
            </span>
            <Input data-testid="confirm-input" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />
          </label>
        ) : null}
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={onCancel} data-testid="confirm-cancel">
            Cancel
          </Button>
          <Button variant="danger" disabled={!ready || busy} onClick={onConfirm} data-testid="confirm-ok">
            {busy ? "Working…" : confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}
