import { z } from "zod";
import { DurationSchema } from "../config/schema.ts";

/** A call's timeout: 0 would fail every call at once ("did not answer within 0s"). */
const TimeoutSchema = DurationSchema.refine((ms) => ms > 0, {
  message: "must be more than 0 (a duration such as 15s); leave it out for the default 30s",
});

import { TransformSchema } from "../gateway/transform.ts";

/** Tool names a capability may have: what MCP clients accept everywhere. */
export const CAPABILITY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A template value: numbers and booleans in YAML are kept as their text. */
const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const TemplateMapSchema = z.record(z.string(), ScalarSchema);
const JsonSchemaSchema = z.record(z.string(), z.unknown());

const MethodSchema = z
  .string()
  .transform((method) => method.toUpperCase())
  .pipe(z.enum(HTTP_METHODS));

/** How to call one REST endpoint: `rest:` in our files, `providers.<n>.config` in the original's. */
export const RestSchema = z.strictObject({
  method: MethodSchema.default("GET"),
  base_url: z.string().min(1).optional(),
  path: z.string().optional(),
  /** A full URL instead of `base_url` + `path` (the original's spelling). */
  endpoint: z.string().min(1).optional(),
  /** Query parameters. Absent: arguments no template used go to the query (GET, HEAD, DELETE). */
  params: TemplateMapSchema.optional(),
  /** Query parameters always sent; an argument of the same name wins. */
  static_params: TemplateMapSchema.optional(),
  headers: TemplateMapSchema.optional(),
  /** Body template. Absent: arguments no template used form the body (POST, PUT, PATCH). */
  body: z.unknown().optional(),
  body_format: z.enum(["json", "form"]).optional(),
  body_content_type: z.string().optional(),
  /** Dotted path to the part of the response to return: `data.items`, `results[0]`. */
  response_path: z.string().optional(),
  /** `xml` turns an XML answer into JSON: attributes as `@name`, text as `#text`. */
  response_format: z.enum(["json", "text", "xml", "binary"]).nullish(),
  timeout: TimeoutSchema.optional(),
  /** Argument name -> the API's name, for arguments sent as query or body fields. */
  param_map: z.record(z.string(), z.string()).optional(),
  /** Picks the path template by an argument's value (unknown values are refused). */
  path_selector: z
    .strictObject({
      parameter: z.string().min(1),
      default: z.string().optional(),
      paths: z.record(z.string(), z.string()),
    })
    .optional(),
  /** The original's; transforms are not applied here (noted by `cap validate`). */
  response_transform: z.unknown().optional(),
});
export type RestConfig = z.infer<typeof RestSchema>;

/** `service: graphql`: the query (with `{arg}` placeholders) and default variables. */
export const GraphqlSchema = RestSchema.extend({
  method: MethodSchema.default("POST"),
  query: z.string().min(1).optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
});

/** `service: jsonrpc`: `method` is the remote method; `default_params` are merged under the arguments. */
export const JsonRpcSchema = RestSchema.extend({
  method: z.string().min(1),
  default_params: z.record(z.string(), z.unknown()).optional(),
});

export const SERVICES = ["rest", "graphql", "jsonrpc", "cli", "mcp"] as const;
export type Service = (typeof SERVICES)[number];

const ProviderHeadSchema = z.strictObject({
  /** Another value is read as `rest`, as the original does (and noted). */
  service: z.string().default("rest"),
  timeout: TimeoutSchema.optional(),
  cost_per_call: z.number().optional(),
  config: z.record(z.string(), z.unknown()).default({}),
});

/** One named provider of the original format: `providers.primary`, its config by service. */
export const ProviderSchema = ProviderHeadSchema.transform((written, ctx) => {
  const known = (SERVICES as readonly string[]).includes(written.service);
  const head = {
    ...written,
    service: (known ? written.service : "rest") as Service,
    unknownService: known ? undefined : written.service,
  };
  if (head.service === "cli" || head.service === "mcp") {
    return { ...head, config: undefined, local: head.config };
  }
  const schema =
    head.service === "graphql"
      ? GraphqlSchema
      : head.service === "jsonrpc"
        ? JsonRpcSchema
        : RestSchema;
  const parsed = schema.safeParse(head.config);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ ...issue, path: ["config", ...issue.path] } as Parameters<
        typeof ctx.addIssue
      >[0]);
    }
    return z.NEVER;
  }
  const config = parsed.data as RestConfig & {
    query?: string;
    variables?: Record<string, unknown>;
    default_params?: Record<string, unknown>;
  };
  return { ...head, config, local: undefined };
});
export type ProviderConfig = z.infer<typeof ProviderSchema>;

/** `providers: { primary: {...}, secondary: {...}, fallback: [secondary] }`. */
const ProvidersSchema = z.record(z.string(), z.unknown()).transform((record, ctx) => {
  const providers = new Map<string, z.infer<typeof ProviderSchema>>();
  let fallback: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === "fallback") {
      const parsed = z.array(z.string()).safeParse(value);
      if (parsed.success) fallback = parsed.data;
      else ctx.addIssue({ code: "custom", path: [key], message: "expected a list of names" });
      continue;
    }
    const parsed = ProviderSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, path: [key, ...issue.path] } as Parameters<
          typeof ctx.addIssue
        >[0]);
      }
      continue;
    }
    providers.set(key, parsed.data);
  }
  // `providers: {}` is the original's webhook-only capability.
  if (!("primary" in record) && Object.keys(record).some((key) => key !== "fallback")) {
    ctx.addIssue({
      code: "custom",
      path: ["primary"],
      message: "a `primary` provider is required",
    });
  }
  for (const name of fallback) {
    if (!providers.has(name)) {
      ctx.addIssue({
        code: "custom",
        path: ["fallback"],
        message: `names provider "${name}", which is not defined`,
      });
    }
  }
  return { providers, fallback };
});

export const AUTH_TYPES = ["none", "api_key", "bearer", "basic", "oauth", "oauth2"] as const;

export const AuthSchema = z.strictObject({
  /** Default: true unless `type` is `none`. Without its key, an optional auth is left off. */
  required: z.boolean().optional(),
  type: z.enum(AUTH_TYPES).default("none"),
  /** The secret: `env:NAME` or `${NAME}`; never the value itself. */
  key: z.string().min(1).optional(),
  /** For `basic`: the user name (text or `${NAME}`); without it, the key holds `user:password`. */
  username: z.string().optional(),
  /** For `api_key`: the header to send it in (default `X-API-Key`) ... */
  header: z.string().optional(),
  /** ... or the query parameter. */
  param: z.string().optional(),
  /** Put before the secret in the header (`Bearer` for bearer and oauth). */
  prefix: z.string().optional(),
  description: z.string().optional(),
  /** OAuth: where tokens are fetched (client credentials, or a refresh token from the environment). */
  token_endpoint: z.string().optional(),
  /** OAuth scopes asked for. */
  scopes: z.array(z.string()).optional(),
  shared_account: z.unknown().optional(),
});
export type AuthConfig = z.infer<typeof AuthSchema>;

export const CacheSchema = z.strictObject({
  ttl: DurationSchema.optional(),
  strategy: z.string().optional(),
  /** The cache key from the arguments (`{owner}/{repo}`): calls that render alike share a result. */
  key_template: z.string().optional(),
});

/** An example: a request in words, or the original's `{ input, ... }` objects (kept as JSON). */
const ExampleSchema = z
  .union([z.string().trim().min(1), z.record(z.string(), z.unknown())])
  .transform((example) => (typeof example === "string" ? example : JSON.stringify(example)));

/** Other keys (`docs`, `license`, `rate_limit`, ...) are free-form notes, kept and unused. */
export const MetadataSchema = z.looseObject({
  category: z.string().optional(),
  tags: z.array(z.string()).default([]),
  /** Requests people make of this capability, in their words: the search indexes them. */
  examples: z.array(ExampleSchema).default([]),
  read_only: z.boolean().optional(),
  destructive: z.boolean().optional(),
  idempotent: z.boolean().optional(),
  open_world: z.boolean().optional(),
  // The original's routing and cost hints: accepted, not used.
  cost_category: z.unknown().optional(),
  execution_time: z.unknown().optional(),
  exposure: z.unknown().optional(),
  identity_owner: z.unknown().optional(),
  produces: z.unknown().optional(),
  consumes: z.unknown().optional(),
  chains_with: z.unknown().optional(),
});

/** A capability file, in our format (`rest:`) or the original gateway's (`providers:`). */
/**
 * One inbound webhook (the original's shape): where it is received, the secret its sender signs
 * with, and which signature scheme (`provider`, else guessed from `signature_header`).
 */
const WebhookSchema = z.strictObject({
  /** Under `webhooks.base_path`; default `{capability}/{id}`. */
  path: z
    .string()
    .regex(/^\/?[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, "a path such as github/push")
    .optional(),
  method: z.literal("POST").or(z.literal("post")).optional(),
  /** `env:NAME`, `${NAME}` or `{env.NAME}`: read when a delivery arrives. */
  secret: z.string().optional(),
  provider: z.enum(["github", "stripe", "linear", "hmac"]).optional(),
  signature_header: z.string().optional(),
  notify: z.boolean().default(true),
  /** `event_type`: a dotted path into the payload; `data`: field -> dotted path. */
  transform: z
    .strictObject({
      event_type: z.string().optional(),
      data: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

export const CapabilityFileSchema = z
  .strictObject({
    fulcrum: z.union([z.string(), z.number()]).optional(),
    name: z
      .string()
      .regex(CAPABILITY_NAME, "must be 1-64 characters of letters, digits, `_`, `.` and `-`"),
    title: z.string().optional(),
    description: z.string().trim().min(1, "must not be empty"),
    schema: z
      .strictObject({ input: JsonSchemaSchema.optional(), output: JsonSchemaSchema.optional() })
      .optional(),
    rest: RestSchema.optional(),
    providers: ProvidersSchema.optional(),
    auth: AuthSchema.optional(),
    cache: CacheSchema.optional(),
    metadata: MetadataSchema.optional(),
    /** The original's top-level spellings of `metadata.tags` and `metadata.examples`. */
    tags: z.array(z.string()).optional(),
    examples: z.array(ExampleSchema).optional(),
    /** Price of one call, for cost accounting. */
    cost_per_call: z.number().min(0).optional(),
    /**
     * The original's canonical projection: `{ subject: { id: "issue.identifier" }, ... }`, each
     * leaf a dotted path into the response; the result keeps the response under `_raw`.
     */
    projection: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    /** The original's in-file pin: checked against the rest of the file when present. */
    sha256: z.string().optional(),
    /** The original's response transforms, applied in this order (src/gateway/transform.ts). */
    transform: TransformSchema.optional(),
    response_transform: TransformSchema.optional(),
    /** Inbound webhooks: id -> endpoint (src/gateway/webhooks.ts). */
    webhooks: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), WebhookSchema).optional(),
    // The original's features this gateway recognises and does not implement.
    visible_in_states: z.unknown().optional(),
  })
  .superRefine((file, ctx) => {
    // A webhook receiver of the original's (docs/WEBHOOKS.md there) has no provider.
    if (!file.rest && !file.providers && file.webhooks === undefined) {
      ctx.addIssue({ code: "custom", message: "needs `rest:` (or the original's `providers:`)" });
    }
    if (file.rest && file.providers) {
      ctx.addIssue({ code: "custom", message: "has both `rest:` and `providers:`; keep one" });
    }
  });
export type WebhookFile = z.infer<typeof WebhookSchema>;
export type CapabilityFile = z.infer<typeof CapabilityFileSchema>;

/** Keys that load but do nothing here, each with the note `cap validate` prints. */
export const IGNORED_KEYS: Record<string, string> = {
  visible_in_states: "visible_in_states is not supported; the capability is always visible",
};
