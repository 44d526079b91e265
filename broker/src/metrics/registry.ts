/*
 * A small metrics registry and the Prometheus text exposition format
 * (version 0.0.4). One registry per node, built by the composition root; no
 * global. Recording is a field increment on an object the caller looked up
 * once (a counter child, a summary): label sets are turned into their text
 * when the child is made, never per observation. Gauges are read at scrape
 * time from callbacks, so that state the node already keeps (the image, the
 * connections) costs nothing between scrapes.
 */

import { WindowedSummary } from "./summary";

export type MetricType = "counter" | "gauge" | "summary" | "untyped";

/** Label values in the order of the family's label names. */
export type LabelValues = readonly string[];

/** A number that only grows. */
export class Counter {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Appends this family's samples (without its HELP and TYPE lines); may append none. */
  collect(out: string[], nowMs: number): void;
}

/** A family of counters with fixed label names; each label set's child is made once and kept. */
export class CounterFamily implements Family {
  readonly type = "counter";
  private readonly children = new Map<string, Counter>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /**
   * The counter of one label set, made on first use. Callers keep it: this
   * builds the label text. `names` may leave labels out (Kafka's all-topics
   * meter is the per-topic name without the topic label).
   */
  child(values: LabelValues = [], names: readonly string[] = this.labelNames): Counter {
    const key = labelText(names, values);
    let counter = this.children.get(key);
    if (!counter) {
      counter = new Counter();
      this.children.set(key, counter);
    }
    return counter;
  }

  /** Forgets a child (a deleted topic's), as Kafka removes a deleted topic's meters. */
  remove(values: LabelValues): void {
    this.children.delete(labelText(this.labelNames, values));
  }

  collect(out: string[]): void {
    for (const [labels, counter] of this.children) out.push(`${this.name}${labels} ${formatValue(counter.value)}`);
  }
}

/** Emits one gauge sample: its label values (in the family's order) and its value. */
export type GaugeEmit = (values: LabelValues, value: number) => void;

/** A gauge family read at scrape time. */
export class GaugeFamily implements Family {
  readonly type: MetricType;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly read: (emit: GaugeEmit) => void,
    type: "gauge" | "untyped" = "gauge",
  ) {
    this.type = type;
  }

  collect(out: string[]): void {
    this.read((values, value) => out.push(`${this.name}${labelText(this.labelNames, values)} ${formatValue(value)}`));
  }
}

/** A family of summaries: quantiles over a recent window, and a count and sum since start. */
export class SummaryFamily implements Family {
  readonly type = "summary";
  private readonly children = new Map<string, { summary: WindowedSummary; values: LabelValues }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** The quantiles reported, with the label text of each (Kafka's jmx exporter writes 0.50, 0.999). */
    private readonly quantiles: ReadonlyArray<readonly [quantile: number, text: string]>,
    private readonly windowMs: number,
  ) {}

  child(values: LabelValues = []): WindowedSummary {
    const key = labelText(this.labelNames, values);
    let entry = this.children.get(key);
    if (!entry) {
      entry = { summary: new WindowedSummary(this.windowMs), values: [...values] };
      this.children.set(key, entry);
    }
    return entry.summary;
  }

  collect(out: string[], nowMs: number): void {
    const quantileNames = [...this.labelNames, "quantile"];
    for (const [labels, { summary, values }] of this.children) {
      const estimates = summary.quantiles(
        this.quantiles.map(([quantile]) => quantile),
        nowMs,
      );
      this.quantiles.forEach(([, text], i) => out.push(`${this.name}${labelText(quantileNames, [...values, text])} ${formatValue(estimates[i])}`));
      out.push(`${this.name}_sum${labels} ${formatValue(summary.sum)}`);
      out.push(`${this.name}_count${labels} ${formatValue(summary.count)}`);
    }
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The metrics of one node, rendered in the text format on each scrape. */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly scrapeHooks: Array<{ before: () => void; after: () => void }> = [];

  constructor(
    /** The time summaries age their windows by (a monotonic clock). */
    private readonly nowMs: () => number,
  ) {}

  counter(name: string, help: string, labelNames: readonly string[] = []): CounterFamily {
    return this.add(new CounterFamily(name, help, labelNames), labelNames);
  }

  gauge(name: string, help: string, labelNames: readonly string[], read: (emit: GaugeEmit) => void, type: "gauge" | "untyped" = "gauge"): GaugeFamily {
    return this.add(new GaugeFamily(name, help, labelNames, read, type), labelNames);
  }

  summary(name: string, help: string, labelNames: readonly string[], quantiles: ReadonlyArray<readonly [number, string]>, windowMs: number): SummaryFamily {
    return this.add(new SummaryFamily(name, help, labelNames, quantiles, windowMs), labelNames);
  }

  /** Runs `before` ahead of each scrape's gauges and `after` once they are read (a reading several gauges share). */
  onScrape(before: () => void, after: () => void): void {
    this.scrapeHooks.push({ before, after });
  }

  /**
   * The exposition: every family with its HELP and TYPE lines, then its
   * samples. A gauge whose callback throws is left out (with a comment
   * saying so) rather than failing the scrape.
   */
  render(): string {
    const nowMs = this.nowMs();
    const out: string[] = [];
    for (const hook of this.scrapeHooks) hook.before();
    try {
      this.collectInto(out, nowMs);
    } finally {
      for (const hook of this.scrapeHooks) hook.after();
    }
    out.push("");
    return out.join("\n");
  }

  private collectInto(out: string[], nowMs: number): void {
    for (const family of this.families.values()) {
      const samples: string[] = [];
      try {
        family.collect(samples, nowMs);
      } catch (error) {
        out.push(`# ${family.name} failed: ${escapeHelp(error instanceof Error ? error.message : String(error))}`);
        continue;
      }
      out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`, ...samples);
    }
  }

  private add<F extends Family>(family: F, labelNames: readonly string[]): F {
    if (!METRIC_NAME.test(family.name)) throw new Error(`not a metric name: ${family.name}`);
    for (const label of labelNames) if (!LABEL_NAME.test(label) || label.startsWith("__")) throw new Error(`not a label name: ${label}`);
    if (this.families.has(family.name)) throw new Error(`metric ${family.name} registered twice`);
    this.families.set(family.name, family);
    return family;
  }
}

/** `{a="x",b="y"}` for the label set, or "" for none. */
export function labelText(names: readonly string[], values: LabelValues): string {
  if (names.length !== values.length) throw new Error(`labels ${names.join(",")} given ${values.length} values`);
  if (names.length === 0) return "";
  return `{${names.map((name, i) => `${name}="${escapeLabelValue(values[i])}"`).join(",")}}`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as the text format writes it. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
