import { Th } from "./table";

/** A column header that sorts its table when clicked, showing ▲ or ▼ on the column in use. */
export function SortHeader<S extends string>({
  column,
  label,
  sort,
  dir,
  onSort,
  right = false,
}: {
  column: S;
  label: string;
  sort: S;
  dir: "asc" | "desc";
  onSort(column: S): void;
  right?: boolean;
}) {
  return (
    <Th className={right ? "text-right" : ""} aria-sort={sort === column ? (dir === "asc" ? "ascending" : "descending") : undefined}>
      <button type="button" data-testid={`sort-${column}`} onClick={() => onSort(column)} className="uppercase">
        {label}
        {sort === column ? (dir === "asc" ? " ▲" : " ▼") : ""}
      </button>
    </Th>
  );
}
