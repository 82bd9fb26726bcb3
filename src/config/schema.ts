import { z } from "zod";
import { compileTransform, TransformSchema } from "../gateway/transform.ts";
import { checkProxyEntry } from "../http/forwarded.ts";
import { OPERATOR_TOOL_NAMES } from "../meta/operator-names.ts";
import { AuthSchema, ORIGINAL_SECURITY_KEYS, SecuritySchema } from "../security/schema.ts";
import { DurationSchema } from "./duration.ts";
import { AuditSchema, CostGovernanceSchema } from "./governance.ts";
import { ORIGINAL_ONLY_SECTIONS } from "./locate.ts";
import { SizeSchema } from "./size.ts";

export { DurationSchema };

/**
 * A backend name: ASCII letters (either case), digits, `.`, `-` and `_`, starting with a letter or
 * digit (the original gateway's `GitHub` and `my.server` load as written). Names become namespaces
 * (`server__tool`, characters the MCP spec allows in a tool name), so `__` is reserved.
 */
export const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Why `name` cannot name a backend, with a name that can; undefined when it can. */
export function backendNameProblem(name: string): string | undefined {
  if (BACKEND_NAME.test(name) && !name.includes("__") && name.length <= 128) return undefined;
  const fixed =
    name
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/_{2,}/g, "_")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 128) || "server";
  return `a backend name is ASCII letters, digits, ".", "-" and "_" (starting with a letter or digit, no "__", at most 128 characters): rename it, e.g. ${fixed}`;
}

export const TransportSchema = z.enum(["stdio", "streamable-http", "sse", "auto"]);
export type Transport = z.infer<typeof TransportSchema>;

const StringMap = z.record(z.string(), z.string());

/**
 * `backends.<n>.oauth`: how the gateway logs in to a remote backend (OAuth 2.1, PKCE). Left out,
 * a backend that answers 401 with `WWW-Authenticate` is found to need a login all the same.
 */
export const BackendOAuthSchema = z.strictObject({
  /** `false` turns the client off (a 401 is then a failure); absent or `true`, it is on. */
  enabled: z.boolean().default(true),
  scopes: z.array(z.string()).default([]),
  /** A pre-registered client; without one the gateway registers itself (RFC 7591). */
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  callback_host: z.string().default("127.0.0.1"),
  /** 0 picks a free port at each login (fine with dynamic registration). */
  callback_port: z.number().int().min(0).max(65535).default(0),
  callback_path: z.string().startsWith("/").default("/oauth/callback"),
  /** Refresh this long before the access token expires. */
  token_refresh_buffer_secs: z.number().int().min(0).default(300),
  /** Accepted for the original gateway's files; tokens are always per backend here. */
  shared_account: z.boolean().optional(),
});
export type BackendOAuthConfig = z.infer<typeof BackendOAuthSchema>;

export const BackendSchema = z
  .strictObject({
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: StringMap.default({}),
    cwd: z.string().optional(),
    inherit_env: z.boolean().default(false),
    url: z
      .url({
        protocol: /^https?$/,
        error: "expected an http:// or https:// URL, e.g. http://127.0.0.1:8080/mcp",
      })
      .optional(),
    headers: StringMap.default({}),
    transport: TransportSchema.optional(),
    timeout: DurationSchema.default(60_000),
    idle_stop: DurationSchema.optional(),
    isolation: z.enum(["shared", "session"]).default("shared"),
    /** Per-tool timeouts that differ from `timeout`. */
    tool_timeouts: z.record(z.string(), DurationSchema).default({}),
    /** Calls in flight at once; more wait in a bounded queue. */
    max_concurrency: z.number().int().min(1).optional(),
    /** This backend's own breaker settings over `failsafe.circuit_breaker` (the original's). */
    circuit_breaker: z
      .strictObject({
        enabled: z.boolean().optional(),
        failure_threshold: z.number().int().min(1).optional(),
        success_threshold: z.number().int().min(1).optional(),
        reset_timeout: DurationSchema.optional(),
      })
      .optional(),
    /** Prefixes every tool name: `gh` exposes `create_issue` as `gh_create_issue`. */
    namespace: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
    /**
     * Per tool, by the backend's own name: `rename` (exposed name), `hide` (never listed or
     * called), `response_transform` (src/gateway/transform.ts) applied to its results.
     */
    tools: z
      .record(
        z.string(),
        z.strictObject({
          rename: z
            .string()
            .regex(/^[A-Za-z0-9_.:/-]+$/)
            .optional(),
          hide: z.boolean().default(false),
          response_transform: TransformSchema.optional(),
        }),
      )
      .default({}),
    /** The largest message the backend may send (stdio line, HTTP body, SSE event); 16 MiB when unset. */
    max_message_size: SizeSchema.optional(),
    oauth: BackendOAuthSchema.optional(),
    /**
     * Each caller's own credential: headers (HTTP) or env (stdio, one process per caller) whose
     * `{caller.NAME}` placeholders take the caller's key `credentials` (or token claims).
     */
    per_caller: z
      .strictObject({ headers: StringMap.default({}), env: StringMap.default({}) })
      .optional(),
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
    for (const [tool, { response_transform: transform }] of Object.entries(backend.tools)) {
      const compiled = transform && compileTransform(transform, "response_transform");
      if (compiled && !compiled.ok) {
        ctx.addIssue({ code: "custom", path: ["tools", tool], message: compiled.error });
      }
    }
  });
export type BackendConfig = z.infer<typeof BackendSchema>;

const SurfacedToolSchema = z.union([
  z.strictObject({ server: z.string(), tool: z.string() }),
  z.string().regex(/^[^:]+:.+$/, "expected `server:tool`"),
]);

/** One `meta_mcp.clients` entry: the surface for clients whose `clientInfo.name` matches. */
const ClientSurfaceSchema = z.strictObject({
  /** A glob over `clientInfo.name` (`*`, `?`; case-insensitive). */
  match: z.string().min(1),
  surface: z.enum(["meta", "flat", "auto"]).default("auto"),
  /** `auto`: tools are listed flat while their definitions fit this many tokens. */
  token_budget: z.number().int().min(1).optional(),
  /** `auto`: and while there are at most this many (clients with a hard cap on tool count). */
  max_tools: z.number().int().min(1).optional(),
});

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
        /** Each wait is this many times the one before (up to `max_backoff`). */
        multiplier: z.number().min(1).default(2),
      })
      .prefault({}),
    rate_limit: z
      .strictObject({
        enabled: z.boolean().default(false),
        requests_per_second: z.number().positive().default(100),
        /** Calls allowed at once above the steady rate (`burst_size` in the original). */
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
    /** A backend (or capability) failing above `threshold` of its recent calls is disabled. */
    error_budget: z
      .strictObject({
        enabled: z.boolean().default(true),
        threshold: z.number().gt(0).max(1).default(0.8),
        window_size: z.number().int().min(1).default(100),
        window: DurationSchema.default(5 * 60_000),
        min_calls: z.number().int().min(1).default(10),
        cooldown: DurationSchema.default(5 * 60_000),
      })
      .prefault({}),
  })
  .prefault({});
export type FailsafeConfig = z.infer<typeof FailsafeSchema>;

/** The original's `default_routing_profile: default`: when no profile of that name is written, none. */
export const UNWRITTEN_DEFAULT_PROFILE = "default";

const RoutingProfileSchema = z.strictObject({
  description: z.string().optional(),
  allow_backends: z.array(z.string()).optional(),
  deny_backends: z.array(z.string()).default([]),
  allow_tools: z.array(z.string()).optional(),
  deny_tools: z.array(z.string()).default([]),
});
export type RoutingProfile = z.infer<typeof RoutingProfileSchema>;

const CacheSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    default_ttl: DurationSchema.default(60_000),
    max_entries: z.number().int().min(1).default(10_000),
    /** What the kept answers may add up to (their JSON); one answer over a quarter is not kept. */
    max_bytes: SizeSchema.default(64 * 1024 * 1024),
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
      /** Open `/mcp` sessions in all; past it an idle session (of anyone) is closed, else the new one refused. */
      max_sessions: z.number().int().min(1).default(1000),
      /**
       * Open `/mcp` sessions per caller (a key; with auth off, a local client by name and
       * address); past it that caller's idlest idle session is closed, else the new one refused.
       */
      max_sessions_per_caller: z.number().int().min(1).default(100),
      /** A session used within this long is active: never closed to make room for another. */
      session_active_window: DurationSchema.default(2 * 60_000),
      /**
       * Bytes of resumability buffers (SSE events kept for `Last-Event-ID`) across all sessions;
       * past it the idlest sessions' oldest events are dropped first.
       */
      event_buffer_bytes: z
        .number()
        .int()
        .min(64 * 1024)
        .default(64 * 1024 * 1024),
      /**
       * How long a request's headers and body may take to arrive, in all, whatever the pace of
       * their bytes (slow clients get 408 and are cut off); idle keep-alive connections close
       * after as long. Bun counts whole seconds, at most 255.
       */
      read_timeout: DurationSchema.default(30_000),
      /** Requests and streams open at once, in all (503 past it; `/health` has headroom). */
      max_connections: z.number().int().min(1).default(4096),
      /** Requests and streams open at once per client address (an IPv6 one by its /64). */
      max_connections_per_address: z.number().int().min(1).default(512),
      /** On SIGTERM/SIGINT, how long calls in flight may take to finish before backends close. */
      shutdown_timeout: DurationSchema.default(30_000),
      /**
       * On SIGTERM/SIGINT, how long to go on serving first, with `/health` answering 503
       * `draining`, so a balancer that watches it stops sending here before the port closes
       * (a request sent as it closes is reset, and a balancer does not resend a POST).
       */
      drain_delay: DurationSchema.default(0),
      /** Serve HTTPS directly: PEM files, re-read when they change (renewed certificates). */
      tls: z
        .strictObject({
          cert: z.string().min(1),
          key: z.string().min(1),
          /** CA bundle that client certificates are verified against (mTLS). */
          client_ca: z.string().min(1).optional(),
          /** Refuse, at the handshake, a client without a certificate from `client_ca`. */
          require_client_cert: z.boolean().default(false),
        })
        .optional(),
      /** The gateway's URL as clients reach it (behind a proxy): what it advertises. */
      public_url: z.url({ protocol: /^https?$/ }).optional(),
    })
    .superRefine((server, ctx) => {
      if (server.tls?.require_client_cert && !server.tls.client_ca) {
        ctx.addIssue({
          code: "custom",
          path: ["tls", "client_ca"],
          message:
            "require_client_cert needs client_ca: the CA bundle client certificates are checked against",
        });
      }
      if (server.read_timeout < 1000 || server.read_timeout > 255_000) {
        ctx.addIssue({
          code: "custom",
          path: ["read_timeout"],
          message:
            "must be between 1s and 255s (the HTTP server's idle timer counts whole seconds, up to 255)",
        });
      }
    })
    .prefault({}),
  meta_mcp: z
    .strictObject({
      enabled: z.boolean().default(true),
      surfaced_tools: z.array(SurfacedToolSchema).default([]),
      /** `bare`: surfaced (and flat) tools keep their own name where no other tool shares it. */
      surfaced_names: z.enum(["bare", "qualified"]).default("qualified"),
      /**
       * How long a call, search or list waits for backends still starting (a first discovery or
       * a lazy start) before it answers without them, naming them.
       */
      discovery_wait: DurationSchema.default(5_000),
      /** A surface per client (docs/protocol.md); the first match wins, then built-in defaults. */
      clients: z.array(ClientSurfaceSchema).default([]),
      /** Operator meta tools listed besides the four core ones: names, or `all` (src/meta/operator.ts). */
      operator_tools: z.union([z.literal("all"), z.array(z.string())]).default([]),
    })
    .prefault({}),
  /** Named narrowings of what a session reaches, bound at initialize (src/gateway/profiles.ts). */
  routing_profiles: z.record(z.string(), RoutingProfileSchema).default({}),
  default_routing_profile: z.string().optional(),
  /** Multi-step tool recipes run by gateway_run_playbook (src/playbooks/). */
  playbooks: z
    .strictObject({
      enabled: z.boolean().default(true),
      directories: z.array(z.string()).default([]),
    })
    .prefault({}),
  /** Agent Skills (SKILL.md folders) served as resources, prompts and search hits (src/skills/). */
  skills: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The skills folder (default: `<state_dir>/skills`), where `skills import` writes. */
      dir: z.string().optional(),
    })
    .prefault({}),
  backends: z.record(z.string(), BackendSchema).default({}),
  /** Inbound webhooks of capability files (`webhooks:` there), at `POST {base_path}/...`. */
  webhooks: z
    .strictObject({
      enabled: z.boolean().default(true),
      base_path: z
        .string()
        .regex(/^\/[A-Za-z0-9._~/-]*[^/]$/, "a path such as /webhooks")
        .default("/webhooks"),
      /** Refuse an endpoint without a secret (401) instead of accepting it unsigned. */
      require_signature: z.boolean().default(true),
      /** Deliveries per minute per endpoint (429 above). */
      rate_limit: z.number().int().min(1).default(100),
      /** How old a signed timestamp may be, and how long a delivery is remembered against replay. */
      replay_window: DurationSchema.default(300_000),
      max_body_bytes: z
        .number()
        .int()
        .min(1024)
        .default(1024 * 1024),
      /** Deliveries kept per endpoint, for reading its `webhook://` resource. */
      keep: z.number().int().min(1).max(1000).default(20),
    })
    .prefault({}),
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
  /** Code mode: `gateway_execute` runs a model's script, in a QuickJS sandbox, that calls tools. */
  code_mode: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Wall time of one script, its tool calls included (a call may ask for less). */
      timeout: DurationSchema.default(30_000),
      /** The sandbox's heap, in MB. */
      memory: z.number().int().min(1).max(1024).default(32),
      /** Tool calls one script may make. */
      max_calls: z.number().int().min(1).default(50),
      /** Characters of value plus console output a script may return. */
      max_output: z.number().int().min(1).default(100_000),
      /** A result longer than this (characters of JSON) is kept by handle, `result://...`. */
      result_handle_threshold: z.number().int().min(1).default(20_000),
    })
    .prefault({}),
  /** Results of read-only tools, reused for `default_ttl`. */
  cache: CacheSchema,
  roots: z.array(RootSchema).default([]),
  env_files: z.array(z.string()).default([]),
  state_dir: z.string().optional(),
  /** Several instances behind a load balancer, sharing state in Redis (docs/scaling.md). */
  cluster: z
    .strictObject({
      /** `redis://host:6379` (or `rediss://`, with a password in the URL). */
      redis_url: z.string().regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL"),
      /** This instance's name in the cluster (default: the hostname and a random suffix). */
      instance_id: z.string().min(1).optional(),
      /** Prefixed to every Redis key and channel, so several clusters can share one Redis. */
      key_prefix: z.string().default("mcp-gateway:"),
      /** The URL other instances reach this one at (default: http(s)://<hostname>:<port>). */
      advertise_url: z.string().url().optional(),
      /**
       * With `server.tls`: PEM file of the CA the instances' certificates chain to, trusted for
       * relays between them (default: the system's CAs).
       */
      ca: z.string().min(1).optional(),
      /**
       * How long a relay waits on another instance that answers nothing, not even its /health
       * (stopped, frozen, cut off), before its client gets an error and its sessions are
       * served elsewhere.
       */
      peer_timeout: DurationSchema.default(10_000),
    })
    .optional(),
  audit: AuditSchema,
  cost_governance: CostGovernanceSchema,
  log_level: z.enum(["silent", "error", "warn", "info", "debug", "trace"]).optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

/**
 * Operator tool names and the default routing profile must name what exists; the problems, in
 * one message naming the settings, or undefined.
 */
export function checkOperatorSettings(config: Config): string | undefined {
  const problems: string[] = [];
  const known = new Set<string>(OPERATOR_TOOL_NAMES);
  const tools = config.meta_mcp.operator_tools;
  for (const [i, name] of (tools === "all" ? [] : tools).entries()) {
    if (known.has(name)) continue;
    problems.push(
      `meta_mcp.operator_tools[${i}]: unknown operator tool "${name}"; expected "all" or some of ${[...known].join(", ")}`,
    );
  }
  const fallback = config.default_routing_profile;
  // `default` is the original's name for "no narrowing"; it need not be written.
  if (
    fallback &&
    fallback !== UNWRITTEN_DEFAULT_PROFILE &&
    !(fallback in config.routing_profiles)
  ) {
    const known = Object.keys(config.routing_profiles).join(", ") || "none defined";
    problems.push(
      `default_routing_profile: "${fallback}" is not one of routing_profiles (${known})`,
    );
  }
  return problems.length ? problems.join("; ") : undefined;
}

/**
 * Keys of the original Rust gateway that this gateway recognises but does not implement (yet).
 * They are removed with a warning instead of failing as unknown keys, so its users' files load.
 * `*` stands for any backend name.
 */
export const RECOGNISED_KEYS: readonly string[] = [
  ...ORIGINAL_ONLY_SECTIONS,
  "server.ws_port",
  "server.request_timeout",
  "server.max_body_size",
  "meta_mcp.cache_tools",
  "meta_mcp.cache_ttl",
  "meta_mcp.warm_start",
  "meta_mcp.projection_mode",
  "auth.public_paths",
  "auth.single_user",
  "backends.*.secrets",
  "backends.*.passthrough",
  "backends.*.runtime_profile",
  "backends.*.identity_propagation",
  "backends.*.protocol_version",
  "backends.*.idle_timeout",
  // Sections the original's examples/gateway-full.yaml documents and the original itself ignores.
  "config_export",
  "discovery",
  "semantic_search",
  "tool_profiles",
  ...ORIGINAL_SECURITY_KEYS,
];
