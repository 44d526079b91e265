/** Rows shown per page in long tables (topics, a group's partitions). */
export const PAGE_SIZE = 100;

export interface PageOf<T> {
  rows: T[];
  /** 1-based page actually shown (clamped to the last page). */
  page: number;
  pages: number;
  total: number;
}

/**
 * One page of an already filtered and sorted list. The browser renders at most
 * PAGE_SIZE rows however many topics or partitions there are.
 */
export function paginate<T>(items: readonly T[], requestedPage: number, pageSize = PAGE_SIZE): PageOf<T> {
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const page = Math.min(Math.max(1, Math.floor(requestedPage) || 1), pages);
  return { rows: items.slice((page - 1) * pageSize, page * pageSize), page, pages, total: items.length };
}

/** The page number in a URL param; anything that is not a positive integer is page 1. */
export function readPageParam(value: string | null): number {
  const page = Number(value);
  return Number.isInteger(page) && page >= 1 ? page : 1;
}
