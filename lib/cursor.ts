/** Browse cursors: "partition:offset,partition:offset", where each partition's next page starts. */
export function parseCursor(cursor: string): Map<number, number> {
  const positions = new Map<number, number>();
  for (const pair of cursor.split(",")) {
    const [partition, offset] = pair.split(":").map(Number);
    positions.set(partition, offset);
  }
  return positions;
}

export function formatCursor(positions: Map<number, number>): string {
  return [...positions].sort(([a], [b]) => a - b).map(([p, o]) => `${p}:${o}`).join(",");
}
