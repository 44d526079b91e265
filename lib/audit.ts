import { z } from "zod";

/** One entry of the audit log: a change asked for, or a login, and what became of it. */
export const auditEntrySchema = z.object({
  id: z.number().int(),
  atMs: z.number().int(),
  user: z.string().nullable(),
  address: z.string().nullable(),
  cluster: z.string(),
  /** A permission (messages:produce ...) or auth:login / auth:logout. */
  action: z.string(),
  target: z.string().nullable(),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  result: z.enum(["ok", "failed", "refused"]),
  detail: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const optional = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

/** GET /api/audit: ?user=&action=&result=&cluster=&target=&from=&to= (ms) &before= (id) &limit= &format=json|jsonl */
export const auditQuerySchema = z.object({
  user: optional,
  action: optional,
  result: z.enum(["ok", "failed", "refused"]).optional().or(z.literal("").transform(() => undefined)),
  cluster: optional,
  target: optional,
  fromMs: z.coerce.number().int().optional(),
  toMs: z.coerce.number().int().optional(),
  beforeId: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
  format: z.enum(["json", "jsonl"]).default("json"),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema) });
