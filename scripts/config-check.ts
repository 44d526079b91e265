// Run by scripts/start.mjs before anything starts: validates SLUICE_CONFIG and prints
// {"users": n, "sso": bool} on success, or the error (naming the file and the field) and exits 1.
import { ConfigError, loadConsoleConfig } from "../server/config/load";

try {
  const loaded = loadConsoleConfig();
  console.log(JSON.stringify({ users: loaded?.config.users.length ?? 0, sso: Boolean(loaded?.config.oidc) }));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`[sluice] ${error.message}`);
  process.exit(1);
}
