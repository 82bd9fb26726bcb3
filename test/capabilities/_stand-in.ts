import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonObject } from "../../src/backends/types.ts";
import { executeCapability } from "../../src/capabilities/execute.ts";
import type { Capability } from "../../src/capabilities/resolve.ts";
import { templateRefs } from "../../src/capabilities/template.ts";

/** A value shaped by a JSON Schema: its const, enum, default or example, else a typed stand-in. */
export function sample(schema: unknown): unknown {
  if (!schema || typeof schema !== "object") return "x";
  const s = schema as JsonObject;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    if (Array.isArray(s[key]) && s[key].length) return sample(s[key][0]);
  }
  const type = Array.isArray(s.type)
    ? s.type.find((t) => t !== "null")
    : (s.type ?? (s.properties ? "object" : s.items ? "array" : "string"));
  switch (type) {
    case "object": {
      const out: JsonObject = {};
      for (const [key, value] of Object.entries((s.properties as JsonObject) ?? {})) {
        out[key] = sample(value) as JsonObject;
      }
      return out;
    }
    case "array":
      return [sample(s.items)];
    case "integer":
      return 1;
    case "number":
      return 1.5;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return s.format === "uri" ? "https://example.com/x" : "x";
  }
}

/** Puts `value` where a dotted `response_path` (`data.items`, `results[0]`) would find it. */
function nest(path: string | undefined, value: unknown): unknown {
  const parts = (path ?? "")
    .replace(/^\$\.?/, "")
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean);
  return parts.reduceRight<unknown>(
    (inner, part) => (/^\d+$/.test(part) ? [inner] : { [part]: inner }),
    value,
  );
}

function toXml(name: string, value: unknown): string {
  if (value === null || typeof value !== "object") return `<${name}>${String(value)}</${name}>`;
  if (Array.isArray(value)) return value.map((item) => toXml(name, item)).join("");
  const attrs = Object.entries(value)
    .filter(([key]) => key.startsWith("@"))
    .map(([key, v]) => ` ${key.slice(1)}="${String(v)}"`)
    .join("");
  const children = Object.entries(value)
    .filter(([key]) => !key.startsWith("@"))
    .map(([key, v]) => toXml(key, v))
    .join("");
  return `<${name}${attrs}>${children || ""}</${name}>`;
}

export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/**
 * A loopback stand-in for the API a capability describes: it answers every request with a
 * body shaped by the capability's declared output, wrapped as its response_path, GraphQL or
 * JSON-RPC envelope, or XML would expect; `/token` answers an OAuth token grant.
 */
export function startStandIn() {
  let reply: { body: string; type: string } = { body: "{}", type: "application/json" };
  const requests: Recorded[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = await request.text();
      requests.push({ method: request.method, url, headers: request.headers, body });
      if (url.pathname === "/token") {
        return Response.json({ access_token: "granted-token-123", expires_in: 3600 });
      }
      return new Response(reply.body, { headers: { "content-type": reply.type } });
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    origin,
    requests,
    stop: () => server.stop(true),
    /** Points a capability at the stand-in and sets the answer it will get. */
    prepare(capability: Capability): Capability {
      // Compiled transforms hold functions, which structuredClone refuses: they are shared.
      const { transforms, ...data } = capability;
      const local = { ...structuredClone(data), transforms } as Capability;
      const swap = (url: string) =>
        url.replace(/^(https?:\/\/[^/]+|\$\{[^}]+\}|\{env\.[^}]+\})/, origin);
      for (const provider of local.providers) {
        provider.url = swap(provider.url);
        if (provider.urlSelector) {
          for (const key of Object.keys(provider.urlSelector.urls)) {
            provider.urlSelector.urls[key] = swap(provider.urlSelector.urls[key]!);
          }
        }
      }
      if (local.auth.oauth) local.auth.oauth.tokenEndpoint = `${origin}/token`;
      if (local.auth.keyFile) {
        const file = join(mkdtempSync(join(tmpdir(), "standin-")), "credentials.json");
        writeFileSync(file, JSON.stringify(nest(local.auth.keyFile.field, "file-secret-1")));
        local.auth.keyFile.path = file;
      }
      const provider = local.providers[0];
      if (!provider) return local;
      const declared = capability.wrapsResult
        ? (capability.outputSchema!.properties as JsonObject).result
        : capability.projection
          ? (capability.outputSchema!.properties as JsonObject)._raw
          : capability.outputSchema;
      const shaped = declared ? sample(declared) : { ok: true };
      if (provider.responseFormat === "xml") {
        reply = { body: toXml("root", shaped), type: "application/xml" };
      } else if (provider.responseFormat === "text") {
        reply = { body: "plain text", type: "text/plain" };
      } else if (provider.responseFormat === "binary") {
        reply = { body: "\u0001\u0002binary", type: "application/octet-stream" };
      } else if (provider.service === "graphql") {
        const path = provider.responsePath?.replace(/^data(\.|$)/, "");
        reply = { body: JSON.stringify({ data: nest(path, shaped) }), type: "application/json" };
      } else if (provider.service === "jsonrpc") {
        reply = {
          body: JSON.stringify({ jsonrpc: "2.0", id: "1", result: shaped }),
          type: "application/json",
        };
      } else {
        reply = {
          body: JSON.stringify(nest(provider.responsePath, shaped)),
          type: "application/json",
        };
      }
      return local;
    },
  };
}

/** Arguments for a call: every required property (and a path selector's), sampled. */
export function sampleArgs(capability: Capability, origin: string): JsonObject {
  const schema = capability.inputSchema;
  const properties = (schema.properties as JsonObject) ?? {};
  const args: JsonObject = {};
  for (const name of (schema.required as string[] | undefined) ?? []) {
    args[name] = sample(properties[name]) as JsonObject;
  }
  // Arguments the URL is built from are needed too, required or not.
  for (const provider of capability.providers) {
    for (const name of templateRefs(provider.url).args) {
      if (name in properties && !(name in args))
        args[name] = sample(properties[name]) as JsonObject;
    }
  }
  // A URL that is an argument points at the stand-in too.
  for (const provider of capability.providers) {
    const whole = /^\{\+?([A-Za-z0-9_]+)\}/.exec(provider.url);
    if (whole) args[whole[1]!] = `${origin}/from-argument`;
  }
  return args;
}

/** Every variable the capability reads, set to a stand-in secret; OAuth through a grant. */
export function sampleEnv(capability: Capability): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...capability.requiredEnv, ...capability.optionalEnv])
    env[name] = "secret-value-1";
  const oauth = capability.auth.oauth;
  if (oauth) {
    const prefix = oauth.name.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
    env[`${prefix}_CLIENT_ID`] = "client";
    env[`${prefix}_CLIENT_SECRET`] = "client-secret";
    env[`${prefix}_REFRESH_TOKEN`] = "refresh";
  }
  return env;
}

/** Runs a capability through the stand-in. */
export async function runThrough(
  standIn: ReturnType<typeof startStandIn>,
  capability: Capability,
  extraEnv: Record<string, string> = {},
) {
  const local = standIn.prepare(capability);
  return executeCapability(local, sampleArgs(local, standIn.origin), {
    env: { ...sampleEnv(capability), ...extraEnv },
    allowPrivateNetworks: true,
  });
}
