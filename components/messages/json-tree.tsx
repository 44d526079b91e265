"use client";

/**
 * Pretty JSON whose objects and arrays fold. Every string is rendered as a
 * React text node, so a payload can never become markup or script.
 */
export function JsonTree({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  const label = name !== undefined ? <span className="text-sky-700 dark:text-sky-300">{JSON.stringify(name)}: </span> : null;
  if (value === null || typeof value !== "object") {
    const tone =
      typeof value === "string" ? "text-emerald-700 dark:text-emerald-300" : typeof value === "number" ? "text-amber-700 dark:text-amber-300" : "text-fuchsia-700 dark:text-fuchsia-300";
    return (
      <div style={{ paddingLeft: depth ? 16 : 0 }}>
        {label}
        <span className={tone}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value) ? value.map((v) => [undefined, v]) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0)
    return (
      <div style={{ paddingLeft: depth ? 16 : 0 }}>
        {label}
        {open}
        {close}
      </div>
    );
  return (
    <details open={depth < 4} style={{ paddingLeft: depth ? 16 : 0 }} className="[&>summary]:list-none">
      <summary className="cursor-pointer select-none">
        {label}
        {open}
        <span className="text-slate-400"> {entries.length} {Array.isArray(value) ? "items" : "keys"}</span>
      </summary>
      {entries.map(([key, v], i) => (
        <JsonTree key={i} name={key} value={v} depth={depth + 1} />
      ))}
      <div>{close}</div>
    </details>
  );
}
