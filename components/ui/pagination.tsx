import type { PageOf } from "@/lib/paginate";
import { formatNumber } from "@/lib/format";
import { Button } from "./button";

/** Previous/next controls under a paginated table; hidden when everything fits on one page. */
export function Pagination({ of, pageSize, onPage, testId = "pagination" }: { of: PageOf<unknown>; pageSize: number; onPage(page: number): void; testId?: string }) {
  if (of.pages <= 1) return null;
  const first = (of.page - 1) * pageSize + 1;
  const last = Math.min(of.total, of.page * pageSize);
  return (
    <div data-testid={testId} className="mt-3 flex items-center justify-between text-sm text-slate-600 dark:text-slate-400">
      <span data-testid={`${testId}-range`}>
        {formatNumber(first)}–{formatNumber(last)} of {formatNumber(of.total)}
      </span>
      <div className="flex items-center gap-2">
        <Button onClick={() => onPage(of.page - 1)} disabled={of.page <= 1} data-testid={`${testId}-previous`}>
          Previous
        </Button>
        <span className="tabular-nums">
          page {of.page} of {of.pages}
        </span>
        <Button onClick={() => onPage(of.page + 1)} disabled={of.page >= of.pages} data-testid={`${testId}-next`}>
          Next
        </Button>
      </div>
    </div>
  );
}
