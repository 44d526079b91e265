import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

const control =
  "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm outline-none focus:border-slate-500 focus:ring-1 focus:ring-slate-400 dark:border-slate-700 dark:bg-slate-900 aria-[invalid=true]:border-red-500";

export const Input = ({ className = "", ...props }: InputHTMLAttributes<HTMLInputElement>) => <input className={`${control} ${className}`} {...props} />;

export const Select = ({ className = "", ...props }: SelectHTMLAttributes<HTMLSelectElement>) => <select className={`${control} ${className}`} {...props} />;

export const Textarea = ({ className = "", ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) => (
  <textarea className={`${control} font-mono ${className}`} {...props} />
);

/** A labelled control with its error underneath, tagged field-error-<name> for tests. */
export function Field({ label, name, error, children, hint }: { label: string; name: string; error?: string | null; children: ReactNode; hint?: string }) {
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="font-medium text-slate-700 dark:text-slate-300">{label}</span>
      {children}
      <FieldNote name={name} hint={hint} error={error} />
    </label>
  );
}

/** What goes under a control: its error (tagged field-error-<name> for tests), or else its hint. */
export function FieldNote({ name, error, hint }: { name: string; error?: string | null; hint?: string }) {
  if (error)
    return (
      <span role="alert" data-testid={`field-error-${name}`} className="text-xs text-red-600 dark:text-red-400">
        {error}
      </span>
    );
  return hint ? <span className="text-xs text-slate-500">{hint}</span> : null;
}
