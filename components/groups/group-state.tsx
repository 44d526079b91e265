import { Badge } from "@/components/ui/layout";

const TONES: Record<string, "good" | "warn" | "bad" | "neutral"> = {
  Stable: "good",
  PreparingRebalance: "warn",
  CompletingRebalance: "warn",
  Assigning: "warn",
  Reconciling: "warn",
  Dead: "bad",
};

/** A group's state as Kafka names it, coloured: green when consuming, amber while rebalancing. */
export function GroupStateBadge({ state }: { state: string }) {
  return (
    <span data-testid="group-state">
      <Badge tone={TONES[state] ?? "neutral"}>{state}</Badge>
    </span>
  );
}
