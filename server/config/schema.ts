import { z } from "zod";
import { ACTIONS, BUILT_IN_ROLES } from "@/lib/permissions";

/**
 * The console's configuration file (path in SLUICE_CONFIG; YAML or JSON),
 * validated once at start-up. Every field is documented in the README
 * ("Configuration file"). Without a file the console behaves as before: one
 * cluster from KAFKA_BROKERS and the other KAFKA_* variables, no login.
 */

const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const pattern = z.string().min(1).max(249);

const saslSchema = z
  .object({
    mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
    username: z.string().min(1),
    password: z.string(),
  })
  .strict();

const tlsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** A PEM file of the CAs to trust (the system's otherwise). */
    caFile: z.string().min(1).optional(),
    rejectUnauthorized: z.boolean().default(true),
  })
  .strict();

export const clusterSchema = z
  .object({
    id: z.string().regex(ID, "lower-case letters, digits, '-' and '_', at most 63, starting with a letter or digit"),
    name: z.string().min(1).max(100).optional(),
    bootstrapServers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, "host:port")).min(1),
    clientId: z.string().min(1).optional(),
    sasl: saslSchema.optional(),
    tls: tlsSchema.optional(),
    readOnly: z.boolean().default(false),
  })
  .strict();

const grantSchema = z
  .object({
    actions: z.array(z.union([z.enum(ACTIONS), z.literal("*")])).min(1),
    clusters: z.array(pattern).min(1).default(["*"]),
    topics: z.array(pattern).default(["*"]),
    groups: z.array(pattern).default(["*"]),
  })
  .strict();

const roleSchema = z
  .object({
    name: z.string().regex(ID, "lower-case letters, digits, '-' and '_'"),
    grants: z.array(grantSchema).min(1),
  })
  .strict();

/** scrypt$N$r$p$salt$hash (base64): what `npm run hash-password` prints. */
export const PASSWORD_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/;

const userSchema = z
  .object({
    username: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, "letters, digits, '.', '_', '@' and '-', at most 64"),
    passwordHash: z.string().regex(PASSWORD_HASH, "not a scrypt hash from `npm run hash-password` (plain passwords are not accepted)"),
    roles: z.array(z.string()).default([]),
  })
  .strict();

const maskRuleSchema = z
  .object({
    clusters: z.array(pattern).default(["*"]),
    topics: z.array(pattern).min(1),
    /** Dotted paths into a JSON value ("customer.email", "items.*.card"); the value at each is replaced. */
    jsonPaths: z.array(z.string().min(1)).default([]),
    /** Regular expressions over the text of keys, values and headers; every match is replaced. */
    patterns: z.array(z.string().min(1)).default([]),
    replacement: z.string().default("***"),
    exemptRoles: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((rule, ctx) => {
    rule.patterns.forEach((source, i) => {
      try {
        new RegExp(source);
      } catch (error) {
        ctx.addIssue({ code: "custom", path: ["patterns", i], message: `not a regular expression: ${(error as Error).message}` });
      }
    });
  });

/** Single sign-on with an OpenID Connect provider (authorization code flow with PKCE). */
const oidcSchema = z
  .object({
    issuer: z.string().url(),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    /** This console's callback as registered at the provider: <console>/api/auth/oidc/callback. */
    redirectUri: z.string().url(),
    scopes: z.array(z.string().min(1)).default(["openid", "profile", "email"]),
    /** The ID token claim that names the user (sub when absent). */
    usernameClaim: z.string().min(1).default("preferred_username"),
    /** The claim listing the user's groups at the provider. */
    groupsClaim: z.string().min(1).default("groups"),
    /** Provider group → console roles; a user of no listed group logs in with no role. */
    groupRoles: z.record(z.string(), z.array(z.string())).default({}),
    /** The login page's button. */
    label: z.string().min(1).default("Log in with single sign-on"),
    /** Allow an http:// issuer (a provider on this machine, tests); never for a real one. */
    allowInsecureRequests: z.boolean().default(false),
  })
  .strict();

export const consoleConfigSchema = z
  .object({
    /** No change to any cluster from this console. */
    readOnly: z.boolean().default(false),
    clusters: z.array(clusterSchema).default([]),
    users: z.array(userSchema).default([]),
    roles: z.array(roleSchema).default([]),
    masking: z.array(maskRuleSchema).default([]),
    oidc: oidcSchema.optional(),
    auth: z
      .object({
        /** Signs session cookies (HMAC-SHA256); at least 32 characters. Default: a random secret kept in the data directory. */
        sessionSecret: z.string().min(32).optional(),
        sessionTtlMinutes: z.number().int().min(1).max(43_200).default(480),
        /** Origins besides the console's own Host that may send changes (a reverse proxy's public address). */
        allowedOrigins: z.array(z.string().url()).default([]),
        /** Serve /metrics without a login (Prometheus cannot log in). */
        publicMetrics: z.boolean().default(false),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const unique = (what: "clusters" | "users" | "roles", key: (item: any) => string) => {
      const seen = new Set<string>();
      (config[what] as unknown[]).forEach((item, i) => {
        const k = key(item);
        if (seen.has(k)) ctx.addIssue({ code: "custom", path: [what, i], message: `'${k}' appears twice` });
        seen.add(k);
      });
    };
    unique("clusters", (c) => c.id);
    unique("users", (u) => u.username);
    unique("roles", (r) => r.name);
    const roles = new Set([...Object.keys(BUILT_IN_ROLES), ...config.roles.map((r) => r.name)]);
    const known = [...roles].join(", ");
    config.users.forEach((user, i) =>
      user.roles.forEach((role, j) => {
        if (!roles.has(role)) ctx.addIssue({ code: "custom", path: ["users", i, "roles", j], message: `no role '${role}' (known: ${known})` });
      }),
    );
    Object.entries(config.oidc?.groupRoles ?? {}).forEach(([group, list]) =>
      list.forEach((role, j) => {
        if (!roles.has(role)) ctx.addIssue({ code: "custom", path: ["oidc", "groupRoles", group, j], message: `no role '${role}' (known: ${known})` });
      }),
    );
    config.masking.forEach((rule, i) =>
      rule.exemptRoles.forEach((role, j) => {
        if (!roles.has(role)) ctx.addIssue({ code: "custom", path: ["masking", i, "exemptRoles", j], message: `no role '${role}' (known: ${known})` });
      }),
    );
  });

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
export type ClusterEntry = z.infer<typeof clusterSchema>;
export type UserEntry = z.infer<typeof userSchema>;
export type MaskRule = z.infer<typeof maskRuleSchema>;
export type OidcConfig = z.infer<typeof oidcSchema>;
