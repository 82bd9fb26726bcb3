import { z } from "zod";
import { DurationSchema } from "../config/duration.ts";

/** Tool scopes as written on a key or an OAuth scope: globs over `server` and `server:tool`. */
const ScopeFields = {
  /** Same as `allowed_tools: ["<backend>:*"]` per entry (the original gateway's field). */
  backends: z.array(z.string().min(1)).default([]),
  allowed_tools: z.array(z.string().min(1)).default([]),
  denied_tools: z.array(z.string().min(1)).default([]),
  /** Servers (globs) whose resources are granted without their tools; `backends` grants both. */
  resources: z.array(z.string().min(1)).default([]),
  /** Servers (globs) whose prompts are granted without their tools. */
  prompts: z.array(z.string().min(1)).default([]),
  admin: z.boolean().default(false),
};

export const ApiKeySchema = z.strictObject({
  /** `sha256:<hex>` (what `keys create` writes), `env:NAME`, or the key itself (warned). */
  key: z.string().min(1),
  /** Spaces are allowed ("Frontend App", as in the original's examples). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_. -]*$/, "letters, digits, spaces, . _ and - only")
    .refine((name) => name === name.trim(), "no space at the end"),
  description: z.string().optional(),
  ...ScopeFields,
  /** Requests per minute; 0 or absent means no per-key limit. */
  rate_limit: z.number().int().min(0).default(0),
  /** This caller's own values for backends' `per_caller` headers and env (`${VAR}` works). */
  credentials: z.record(z.string(), z.string()).default({}),
  /**
   * A client certificate (chained to `server.tls.client_ca`) that authenticates as this key
   * without a Bearer: by its subject CN, its SHA-256 fingerprint, or both (both must match).
   */
  client_cert: z
    .strictObject({
      subject_cn: z.string().min(1).optional(),
      fingerprint_sha256: z
        .string()
        .transform((hex) =>
          hex
            .replace(/^sha256:/i, "")
            .replace(/:/g, "")
            .toLowerCase(),
        )
        .refine((hex) => /^[0-9a-f]{64}$/.test(hex), "64 hex digits (colons allowed)")
        .optional(),
    })
    .refine((cert) => cert.subject_cn || cert.fingerprint_sha256, {
      message: "name subject_cn, fingerprint_sha256 or both",
    })
    .optional(),
});
export type ApiKeyConfig = z.infer<typeof ApiKeySchema>;

export const OAuthSchema = z.strictObject({
  /** The authorization server whose tokens are accepted (the `iss` claim). */
  issuer: z.url(),
  /** The JWKS to verify signatures; discovered from the issuer's metadata when absent. */
  jwks_uri: z.url().optional(),
  /**
   * This gateway's public `/mcp` URL: its resource identifier (RFC 8707), shown in the RFC 9728
   * metadata. Required: an audience guessed from the request's Host header could be spoofed.
   */
  resource: z.url(),
  /** Accepted `aud` values; by default `resource`. */
  audience: z.union([z.string(), z.array(z.string())]).optional(),
  /** Scopes every token must carry. */
  required_scopes: z.array(z.string()).default([]),
  /** Token scope -> tool scopes. When given, a token needs at least one of these scopes. */
  scopes: z.record(z.string(), z.strictObject(ScopeFields)).default({}),
  /** Leeway for `exp`/`nbf`. */
  clock_tolerance_seconds: z.number().int().min(0).max(300).default(30),
});
export type OAuthConfig = z.infer<typeof OAuthSchema>;

/** `auth.client_circuit_breaker`: the original gateway's per-client dispatch breaker. */
export const ClientBreakerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Calls in a row that failed to dispatch before the caller's calls are paused. */
  failure_threshold: z.number().int().min(1).default(5),
  /** Successful probes that close it again. */
  success_threshold: z.number().int().min(1).default(3),
  /** How long the caller's calls are paused before a probe. */
  reset_timeout: DurationSchema.default(30_000),
});
export type ClientBreakerConfig = z.infer<typeof ClientBreakerSchema>;

export const AuthSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    api_keys: z.array(ApiKeySchema).default([]),
    /** One admin token (the original gateway's field); same formats as `api_keys[].key`. */
    bearer_token: z.string().min(1).optional(),
    oauth: OAuthSchema.optional(),
    /**
     * How long a dashboard login lasts: its cookie's Max-Age and the server-side expiry of the
     * random token it holds (logout and revoking the key end it sooner).
     */
    ui_session_ttl: DurationSchema.default(12 * 3_600_000),
    /** Per-caller circuit breaker over dispatched calls (src/security/client-breaker.ts). */
    client_circuit_breaker: ClientBreakerSchema.optional(),
    /**
     * Wrong keys from one client address within `window` before every keyed request from it
     * gets 429 until the window passes; `failures: 0` turns this off (behind a proxy, where all
     * clients share its address).
     */
    lockout: z
      .strictObject({
        failures: z.number().int().min(0).default(10),
        window: DurationSchema.default(5 * 60_000),
        /**
         * Loopback clients are not locked out unless this is on: every local client shares the
         * address, and one with a stale key would lock the others out.
         */
        loopback: z.boolean().default(false),
      })
      .prefault({}),
  })
  .superRefine((auth, ctx) => {
    const seen = new Set<string>();
    auth.api_keys.forEach((key, index) => {
      if (seen.has(key.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["api_keys", index, "name"],
          message: `two keys are named "${key.name}"; names must be unique (keys revoke uses them)`,
        });
      }
      seen.add(key.name);
    });
  })
  .prefault({});
export type AuthConfig = z.infer<typeof AuthSchema>;

/**
 * The original gateway's global tool policy, for every caller: `deny` (plus, with
 * `use_default_deny`, its built-in list of dangerous names) unless `allow` names the tool;
 * `default_action: deny` refuses whatever `allow` does not name. Patterns as in `denied_tools`.
 */
export const ToolPolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  default_action: z.enum(["allow", "deny"]).default("allow"),
  allow: z.array(z.string().min(1)).default([]),
  deny: z.array(z.string().min(1)).default([]),
  use_default_deny: z.boolean().default(true),
  log_denied: z.boolean().default(true),
});
export type ToolPolicyConfig = z.infer<typeof ToolPolicySchema>;

/** Scan names in `firewall.rules[].scan`: ours, and the original gateway's for the same scans. */
const SCAN_NAMES = {
  shell: "shell",
  sql: "sql",
  path: "path",
  injection: "injection",
  credentials: "credentials",
  shell_injection: "shell",
  sql_injection: "sql",
  path_traversal: "path",
  prompt_injection: "injection",
} as const;
type ScanName = keyof typeof SCAN_NAMES;

export const SecuritySchema = z
  .strictObject({
    /** `quarantine` hides and refuses tools with a HIGH poisoning finding; `warn` only reports. */
    poisoning: z.enum(["warn", "quarantine"]).default("quarantine"),
    /** `server:tool` globs never quarantined for poisoning (their findings are still shown). */
    trusted_tools: z.array(z.string().min(1)).default([]),
    /** Replace credential-shaped strings in tool results with `[REDACTED:<kind>]`. */
    redact_results: z.boolean().default(true),
    /** The lock file (default: `gateway.lock` beside the config); `false` ignores any lock. */
    lock_file: z.union([z.string().min(1), z.literal(false)]).optional(),
    /**
     * A tool a locked backend serves that gateway.lock does not pin (one it gained, or a pinned
     * tool under a new name): `report` it (log, /health), or `quarantine` it until approved.
     */
    lock_new_tools: z.enum(["report", "quarantine"]).default("report"),
    tool_policy: ToolPolicySchema.optional(),
    /** Pattern rules over call arguments and results (src/security/firewall.ts). */
    firewall: z
      .strictObject({
        /** `false` turns both scans off (the original gateway's switch). */
        enabled: z.boolean().default(true),
        /** Shell, SQL and path shapes in arguments of tools that take commands, queries, paths. */
        arguments: z.enum(["off", "warn", "block"]).default("block"),
        /** Instructions aimed at the model, and credentials, in tool results, log, progress and
         * task status messages, and resource reads. */
        results: z.enum(["off", "warn", "annotate", "block"]).default("warn"),
        /** The original gateway's switches, meaning the same: `false` turns that scan off. */
        scan_requests: z.boolean().default(true),
        scan_responses: z.boolean().default(true),
        prompt_injection_detection: z.boolean().default(true),
        credential_redaction: z.boolean().default(true),
        /** Per-tool overrides, first match wins: `server:tool` globs. */
        rules: z
          .array(
            z.strictObject({
              match: z.string().min(1),
              action: z.enum(["allow", "warn", "block"]),
              /** The original's note for its audit log; shown in logs here. */
              reason: z.string().optional(),
              scan: z
                .array(z.enum(Object.keys(SCAN_NAMES) as [ScanName, ...ScanName[]]))
                .transform((names) => [...new Set(names.map((name) => SCAN_NAMES[name]))])
                .optional(),
            }),
          )
          .default([]),
      })
      .prefault({}),
    /** Per-session caps (the original's `session_sandbox`): calls, age, reachable backends. */
    sandbox: z
      .strictObject({
        max_calls: z.number().int().min(1).optional(),
        max_duration: DurationSchema.optional(),
        /** Backend globs a session may call; empty means all. */
        backends: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    /** `server:tool` globs whose calls the calling client's user confirms (elicitation). */
    require_confirmation: z.array(z.string().min(1)).default([]),
    /** Also confirm every tool annotated `destructiveHint: true`. */
    confirm_destructive: z.boolean().default(false),
  })
  .prefault({});
export type SecurityConfig = z.infer<typeof SecuritySchema>;

/**
 * The original gateway's `security.*` settings that this gateway does not implement: recognised
 * and warned about, so its users' files still load.
 */
export const ORIGINAL_SECURITY_KEYS: readonly string[] = [
  "sanitize_input",
  "ssrf_protection",
  "trust_configured_backends",
  "message_signing",
  "agent_identity",
  "transparency_log",
  "response_inspection",
  "response_contract",
  "identity_grants",
  "context_integrity",
  "remote_server_signing",
  "provenance_stamping",
  "claim_capture",
  // Firewall layers of the original that this gateway does not have.
  "firewall.anomaly_detection",
  "firewall.anomaly_threshold",
  "firewall.anomaly_block_threshold",
  "firewall.anomaly_min_observations",
  "firewall.audit_log",
  "firewall.memory_poisoning",
  "firewall.tenant_guard",
  "firewall.budget",
  "firewall.collusion",
].map((key) => `security.${key}`);
