/**
 * Topic configs typed as lines of name=value (blank lines and # comments
 * ignored), the way server.properties and kafka-configs.sh take them.
 */
export function parseConfigLines(text: string): { configs: Record<string, string>; error: string | null } {
  const configs: Record<string, string> = {};
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const name = eq < 0 ? "" : line.slice(0, eq).trim();
    if (!name) return { configs, error: `line ${i + 1}: expected name=value, e.g. retention.ms=86400000` };
    if (!/^[a-z0-9._-]+$/i.test(name)) return { configs, error: `line ${i + 1}: "${name}" is not a config name` };
    if (name in configs) return { configs, error: `line ${i + 1}: ${name} is set twice` };
    configs[name] = line.slice(eq + 1).trim();
  }
  return { configs, error: null };
}
