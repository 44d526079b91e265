import { formatTimeLag } from "@/lib/format";

const EXACT = "How far behind in time: now minus the timestamp of the next record the group reads.";
const ESTIMATED =
  "Estimated: the record at the committed offset is no longer in the log (or could not be read), so the time is interpolated from the end offsets this console read earlier.";
const UNKNOWN =
  "Unknown: no commit, the log's offsets could not be read, or the record at the committed offset is gone and this console has not read enough end offsets yet to estimate it.";
const OF_MANY = " Of several partitions, the largest of those whose time lag is known.";

/** A time lag as text with a title saying how it was found: exact, estimated ("≈") or unknown ("–"). */
export function TimeLag({ ms, estimated, aggregate = false, testId }: { ms: number | null; estimated: boolean; aggregate?: boolean; testId?: string }) {
  const why = ms === null ? UNKNOWN : estimated ? ESTIMATED : EXACT;
  return (
    <span title={aggregate && ms !== null ? why + OF_MANY : why} data-testid={testId} data-estimated={estimated ? "true" : undefined} className={estimated ? "italic" : undefined}>
      {formatTimeLag(ms, estimated)}
    </span>
  );
}
