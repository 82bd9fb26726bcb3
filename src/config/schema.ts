import { z } from "zod";
import { checkProxyEntry } from "../http/forwarded.ts";
import { AuthSchema, ORIGINAL_SECURITY_KEYS, SecuritySchema } from "../security/schema.ts";
import { DurationSchema } from "./duration.ts";
import { AuditSchema, CostGovernanceSchema } from "./governance.ts";

export { DurationSchema };

/** Backend names become namespaces (`server__tool`), so `__` is reserved. */
export const BACKEND_NAME = /^[a-z0-9][a-z0-9_-]*$/;

export const TransportSchema = z.enum(["stdio", "streamable-http", "sse", "auto"]);
export type Transport = z.infer<typeof TransportSchema>;

const StringMap = z.record(z.string(), z.string());

export const BackendSchema = z
  .strictObject({
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: StringMap.default({}),
    cwd: z.string().optional(),
    inherit_env: z.boolean().default(false),
    url: z.url({ protocol: /^https?$/ }).optional(),
    headers: StringMap.default({}),
    transport: TransportSchema.optional(),
    timeout: DurationSchema.default(60_000),
    idle_stop: DurationSchema.optional(),
    isolation: z.enum(["shared", "session"]).default("shared"),
    /** Per-tool timeouts that differ from `timeout`. */
    tool_timeouts: z.record(z.string(), DurationSchema).default({}),
    /** Calls in flight at once; more wait in a bounded queue. */
    max_concurrency: z.number().int().min(1).optional(),
  })
  .superRefine((backend, ctx) => {
    if (!backend.command && !backend.url) {
      ctx.addIssue({ code: "custom", message: "needs either `command` (stdio) or `url` (HTTP)" });
    }
    if (backend.command && backend.url) {
      ctx.addIssue({ code: "custom", message: "has both `command` and `url`; keep one" });
    }
    if (backend.url && backend.transport === "stdio") {
      ctx.addIssue({ code: "custom", path: ["transport"], message: "`stdio` needs `command`" });
    }
    if (backend.command && backend.transport && backend.transport !== "stdio") {
      ctx.addIssue({ code: "custom", path: ["transport"], message: "HTTP transports need `url`" });
    }
  });
export type BackendConfig = z.infer<typeof BackendSchema>;

const SurfacedToolSchema = z.union([
  z.strictObject({ server: z.string(), tool: z.string() }),
  z.string().regex(/^[^:]+:.+$/, "expected `server:tool`"),
]);

const RootSchema = z.union([
  z.string().transform((uri) => ({ uri })),
  z.strictObject({ uri: z.string(), name: z.string().optional() }),
]);

const FailsafeSchema = z
  .strictObject({
    circuit_breaker: z
      .strictObject({
        enabled: z.boolean().default(true),
        failure_threshold: z.number().int().min(1).default(5),
        success_threshold: z.number().int().min(1).default(3),
        reset_timeout: DurationSchema.default(30_000),
        /** Also open when this share (0..1) of the last `window_size` calls failed. */
        failure_rate: z.number().gt(0).max(1).optional(),
        min_calls: z.number().int().min(1).default(20),
        window_size: z.number().int().min(1).default(50),
      })
      .prefault({}),
    retry: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** All attempts, the first included. */
        max_attempts: z.number().int().min(1).default(3),
        initial_backoff: DurationSchema.default(100),
        max_backoff: DurationSchema.default(10_000),
      })
      .prefault({}),
    rate_limit: z
      .strictObject({
        enabled: z.boolean().default(false),
        requests_per_second: z.number().positive().default(100),
        burst: z.number().int().min(1).default(50),
        /** How long a call may wait for its turn before it is refused. */
        max_wait: DurationSchema.default(10_000),
      })
      .prefault({}),
    concurrency: z
      .strictObject({
        limit: z.number().int().min(1).default(64),
        queue: z.number().int().min(0).default(256),
        queue_timeout: DurationSchema.default(30_000),
      })
      .prefault({}),
    health_check: z
      .strictObject({
        enabled: z.boolean().default(true),
        interval: DurationSchema.default(30_000),
        timeout: DurationSchema.default(5_000),
      })
      .prefault({}),
    restart: z
      .strictObject({
        initial_backoff: DurationSchema.default(500),
        max_backoff: DurationSchema.default(30_000),
        /** Crashes within `crash_window` that park a backend as failed. */
        crash_limit: z.number().int().min(1).default(5),
        crash_window: DurationSchema.default(60_000),
      })
      .prefault({}),
  })
  .prefault({});
export type FailsafeConfig = z.infer<typeof FailsafeSchema>;

const CacheSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    default_ttl: DurationSchema.default(60_000),
    max_entries: z.number().int().min(1).default(10_000),
  })
  .prefault({});

export const ConfigSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(39400),
      /** Extra origins allowed besides loopback ones (DNS-rebinding protection). */
      allowed_origins: z.array(z.string()).default([]),
      /**
       * Reverse proxies (addresses and CIDR ranges) whose X-Forwarded-For names the client;
       * empty: the TCP peer is the client.
       */
      trusted_proxies: z
        .array(
          z.string().superRefine((entry, ctx) => {
            const checked = checkProxyEntry(entry);
            if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.message });
          }),
        )
        .default([]),
      session_ttl: DurationSchema.default(30 * 60_000),
      /** Open `/mcp` sessions in all; past it the idlest session (of anyone) is closed. */
      max_sessions: z.number().int().min(1).default(1000),
      /** Open `/mcp` sessions per caller (key); past it that caller's idlest session is closed. */
      max_sessions_per_caller: z.number().int().min(1).default(100),
      /** On SIGTERM/SIGINT, how long calls in flight may take to finish before backends close. */
      shutdown_timeout: DurationSchema.default(30_000),
    })
    .prefault({}),
  meta_mcp: z
    .strictObject({
      enabled: z.boolean().default(true),
      surfaced_tools: z.array(SurfacedToolSchema).default([]),
      /**
       * How long a call, search or list waits for backends still starting (a first discovery or
       * a lazy start) before it answers without them, naming them.
       */
      discovery_wait: DurationSchema.default(5_000),
    })
    .prefault({}),
  backends: z.record(z.string(), BackendSchema).default({}),
  capabilities: z
    .strictObject({
      enabled: z.boolean().default(true),
      name: z.string().regex(BACKEND_NAME).default("capabilities"),
      builtin: z.boolean().default(true),
      directories: z.array(z.string()).default([]),
      allow_private_networks: z.boolean().default(false),
      /** A capability result larger than this is cut, with a note saying so. */
      max_response_bytes: z
        .number()
        .int()
        .min(1024)
        .default(256 * 1024),
    })
    .prefault({}),
  auth: AuthSchema,
  security: SecuritySchema,
  search: z
    .strictObject({
      /**
       * Learn from each caller's searches: the tool it calls right after a search ranks higher
       * when it asks much the same again. Stores the queries' content words in the state store.
       */
      feedback: z.boolean().default(true),
      /** Index the example requests shipped for well-known tools (src/search/hints.ts). */
      hints: z.boolean().default(true),
      /** Your own example requests per tool, `server:tool` → how people ask for it. */
      tool_hints: z
        .record(z.string(), z.array(z.string().min(1)).min(1))
        .superRefine((hints, context) => {
          for (const key of Object.keys(hints)) {
            if (/^[^:\s]+:\S+$/.test(key)) continue;
            context.addIssue({
              code: "custom",
              path: [key],
              message: `"${key}" is not server:tool (e.g. "github:create_issue")`,
            });
          }
        })
        .default({}),
      /**
       * Optional hybrid ranking: embeddings from an endpoint you run (Ollama, or any
       * OpenAI-compatible `/embeddings`), fused with the lexical ranking. Off when absent.
       */
      embeddings: z
        .strictObject({
          url: z.url({ protocol: /^https?$/ }),
          model: z.string().min(1),
          kind: z.enum(["openai", "ollama"]).default("openai"),
          api_key: z.string().optional(),
          timeout: DurationSchema.default(10_000),
          /** The embedding ranking's weight in the fusion; the lexical ranking's is 1. */
          weight: z.number().min(0).max(1).default(1),
        })
        .optional(),
    })
    .prefault({}),
  failsafe: FailsafeSchema,
  /** Results of read-only tools, reused for `default_ttl`. */
  cache: CacheSchema,
  roots: z.array(RootSchema).default([]),
  env_files: z.array(z.string()).default([]),
  state_dir: z.string().optional(),
  audit: AuditSchema,
  cost_governance: CostGovernanceSchema,
  log_level: z.enum(["silent", "error", "warn", "info", "debug", "trace"]).optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

/**
 * Keys of the original Rust gateway that this gateway recognises but does not implement (yet).
 * They are removed with a warning instead of failing as unknown keys, so its users' files load.
 * `*` stands for any backend name.
 */
export const RECOGNISED_KEYS: readonly string[] = [
  "streaming",
  "playbooks",
  "webhooks",
  "routing_profiles",
  "default_routing_profile",
  "code_mode",
  "mtls",
  "key_server",
  "agent_auth",
  "runtime",
  "marketplace",
  "control_plane",
  "server.ws_port",
  "server.request_timeout",
  "server.max_body_size",
  "server.public_url",
  "meta_mcp.cache_tools",
  "meta_mcp.cache_ttl",
  "meta_mcp.warm_start",
  "meta_mcp.projection_mode",
  "auth.public_paths",
  "auth.client_circuit_breaker",
  "auth.single_user",
  "backends.*.oauth",
  "backends.*.secrets",
  "backends.*.passthrough",
  "backends.*.runtime_profile",
  "backends.*.identity_propagation",
  "backends.*.protocol_version",
  ...ORIGINAL_SECURITY_KEYS,
];
