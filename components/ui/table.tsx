import type { HTMLAttributes, ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";

export function Table({ children, testId, className = "" }: { children: ReactNode; testId?: string; className?: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table data-testid={testId} className={`w-full text-left text-sm ${className}`}>
        {children}
      </table>
    </div>
  );
}

export const Th = ({ className = "", ...props }: ThHTMLAttributes<HTMLTableCellElement>) => (
  <th className={`border-b border-slate-200 px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:border-slate-800 ${className}`} {...props} />
);

export const Td = ({ className = "", ...props }: TdHTMLAttributes<HTMLTableCellElement>) => (
  <td className={`border-b border-slate-100 px-3 py-2 align-top dark:border-slate-800 ${className}`} {...props} />
);

export const Tr = ({ className = "", ...props }: HTMLAttributes<HTMLTableRowElement>) => (
  <tr className={`hover:bg-slate-50 dark:hover:bg-slate-800/50 ${className}`} {...props} />
);
