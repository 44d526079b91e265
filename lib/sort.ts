/** A comparator over a sort key that is either text (locale order) or a number. */
export function compareBy<T>(key: (item: T) => number | string, dir: "asc" | "desc"): (a: T, b: T) => number {
  return (a, b) => {
    const [x, y] = [key(a), key(b)];
    const order = typeof x === "string" ? x.localeCompare(String(y)) : x - (y as number);
    return dir === "asc" ? order : -order;
  };
}

/** The sort after a click on a column: the same column flips its direction, another starts ascending. */
export const nextSort = <S extends string>(current: { sort: S; dir: "asc" | "desc" }, clicked: S) => ({
  sort: clicked,
  dir: current.sort === clicked && current.dir === "asc" ? ("desc" as const) : ("asc" as const),
});
