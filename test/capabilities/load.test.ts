import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCapability } from "../../src/capabilities/load.ts";
import { CapabilityRegistry } from "../../src/capabilities/registry.ts";
import { classifyAddress } from "../../src/capabilities/ssrf.ts";
import { templateRefs } from "../../src/capabilities/template.ts";

/** The example from the original gateway's docs, as its users write it. */
const ORIGINAL = `
fulcrum: "1.0"
name: sunrise_lookup
description: Sunrise and sunset times for a coordinate. No key needed.
schema:
  input: {type: object, required: [lat, lng],
          properties: {lat: {type: number}, lng: {type: number}, date: {type: string}}}
providers:
  primary:
    service: rest
    timeout: 10
    config: {base_url: "https://api.example-sun.org", path: /v1/times,
             params: {lat: "{lat}", lng: "{lng}", date: "{date}"}, response_path: results}
auth: {required: false, type: none}
cache: {strategy: exact, ttl: 3600}
metadata: {category: knowledge, tags: [sun], read_only: true, chains_with: [weather_current]}
`;

describe("capability files", () => {
  test("the original gateway's format loads unchanged", () => {
    const result = parseCapability(ORIGINAL, "sunrise.yaml");
    if (!result.ok) throw new Error(result.errors.join("; "));
    const { capability } = result;
    expect(capability.name).toBe("sunrise_lookup");
    expect(capability.providers).toHaveLength(1);
    expect(capability.providers[0]).toMatchObject({
      name: "primary",
      method: "GET",
      url: "https://api.example-sun.org/v1/times",
      params: { lat: "{lat}", lng: "{lng}", date: "{date}" },
      responsePath: "results",
      timeout: 10_000,
    });
    expect(capability.cacheTtl).toBe(3_600_000);
    expect(capability.annotations).toEqual({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
    expect(capability.notes).toEqual([]);
  });

  test("our format: annotations follow the method unless metadata says otherwise", () => {
    const result = parseCapability(
      `
name: delete_thing
title: Delete a thing
description: Deletes.
rest: { method: delete, base_url: "https://api.example.com", path: "/things/{id}" }
schema: { input: { properties: { id: { type: string } }, required: [id] } }
`,
      "x.yaml",
    );
    if (!result.ok) throw new Error(result.errors.join("; "));
    expect(result.capability.annotations).toEqual({
      title: "Delete a thing",
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: true,
    });
  });

  test("secrets: required ones hide the tool until set, optional ones do not", () => {
    const result = parseCapability(
      `
name: t
description: d
rest:
  base_url: "https://api.example.com"
  headers: { X-Tenant: "\${TENANT_ID}", X-Region: "\${REGION:-eu}" }
auth: { type: bearer, key: env:OPTIONAL_TOKEN, required: false }
`,
      "x.yaml",
    );
    if (!result.ok) throw new Error(result.errors.join("; "));
    expect(result.capability.requiredEnv).toEqual(["TENANT_ID"]);
    expect(result.capability.optionalEnv).toEqual(["OPTIONAL_TOKEN"]);
  });

  test("recognised features of the original that do nothing here are reported as notes", () => {
    const result = parseCapability(
      `
name: t
description: d
rest: { method: POST, base_url: "https://api.example.com" }
cache: { ttl: 60 }
transform: { project: [a] }
visible_in_states: [a]
`,
      "x.yaml",
    );
    if (!result.ok) throw new Error(result.errors.join("; "));
    expect(result.capability.notes).toEqual([
      "visible_in_states is not supported; the capability is always visible",
      "cache is ignored: only read-only capabilities are cached",
    ]);
    expect(result.capability.cacheTtl).toBeUndefined();
    // transform is applied now (test/gateway/transform.test.ts): no note.
    expect(result.capability.transforms).toHaveLength(1);
  });

  const BAD: [string, string, string][] = [
    ["not YAML", "name: [unclosed", "cannot parse YAML"],
    ["a list", "- a\n- b", "expected a mapping"],
    ["no provider", "name: t\ndescription: d", "needs `rest:` (or the original's `providers:`)"],
    [
      "both providers",
      "name: t\ndescription: d\nrest: { base_url: 'https://a.b' }\nproviders: { primary: { config: { base_url: 'https://a.b' } } }",
      "has both `rest:` and `providers:`",
    ],
    [
      "bad name",
      "name: has space\ndescription: d\nrest: { base_url: 'https://a.b' }",
      "name: must be 1-64 characters",
    ],
    [
      "empty description",
      "name: t\ndescription: ' '\nrest: { base_url: 'https://a.b' }",
      "description: must not be empty",
    ],
    [
      "unknown key",
      "name: t\ndescription: d\nrest: { base_url: 'https://a.b', verb: GET }",
      "unknown key rest.verb",
    ],
    [
      "bad method",
      "name: t\ndescription: d\nrest: { base_url: 'https://a.b', method: FETCH }",
      'rest.method: Invalid option: expected one of "GET"|"HEAD"|"POST"|"PUT"|"PATCH"|"DELETE"',
    ],
    [
      "not a URL",
      "name: t\ndescription: d\nrest: { base_url: 'ftp://a.b' }",
      "rest.base_url: expected an http(s) URL",
    ],
    [
      "no URL",
      "name: t\ndescription: d\nrest: { path: /x }",
      "rest.base_url: required (or a full endpoint URL)",
    ],
    [
      "inline secret",
      "name: t\ndescription: d\nrest: { base_url: 'https://a.b' }\nauth: { type: bearer, key: sk-live-1234 }",
      "auth.key: write the environment variable that holds the secret",
    ],
    [
      "auth type without key",
      "name: t\ndescription: d\nrest: { base_url: 'https://a.b' }\nauth: { type: basic }",
      "auth.key: required for type basic",
    ],
    [
      "fallback to nothing",
      "name: t\ndescription: d\nproviders: { primary: { config: { base_url: 'https://a.b' } }, fallback: [backup] }",
      'providers.fallback: names provider "backup", which is not defined',
    ],
    [
      "template names an unknown argument",
      "name: t\ndescription: d\nschema: { input: { properties: { q: { type: string } } } }\nrest: { base_url: 'https://a.b', params: { query: '{query}' } }",
      "rest: {query} is not a property of schema.input (it has q)",
    ],
    [
      "input schema is not an object",
      "name: t\ndescription: d\nschema: { input: { type: array } }\nrest: { base_url: 'https://a.b' }",
      "schema.input.type: must be `object`",
    ],
    [
      "schema that does not compile",
      "name: t\ndescription: d\nschema: { input: { type: object, properties: { a: { type: nonsense } } } }\nrest: { base_url: 'https://a.b' }",
      "schema.input: not a valid JSON Schema",
    ],
    [
      "GET with a body",
      "name: t\ndescription: d\nrest: { base_url: 'https://a.b', body: { a: 1 } }",
      "rest.body: a GET request has no body; use params",
    ],
    [
      "bad timeout",
      "name: t\ndescription: d\nrest: { base_url: 'https://a.b', timeout: soon }",
      "rest.timeout: expected a duration",
    ],
  ];
  for (const [what, yaml, message] of BAD) {
    test(`rejects ${what}, naming the field`, () => {
      const result = parseCapability(yaml, "bad.yaml");
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.join("; ")).toContain(message);
    });
  }

  test("a schema that does not compile is refused every time it is read (the compile result is remembered)", () => {
    const yaml =
      "name: t\ndescription: d\nschema: { input: { type: object, properties: { b: { type: nonsense } } } }\nrest: { base_url: 'https://a.b' }";
    for (let i = 0; i < 3; i++) {
      const result = parseCapability(yaml, "bad.yaml");
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.join("; ")).toContain("not a valid JSON Schema");
    }
    const fixed = yaml.replace("nonsense", "string");
    expect(parseCapability(fixed, "bad.yaml").ok).toBe(true);
  });
});

describe("the registry", () => {
  test("reading in slices serves the same capabilities and problems as reading at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcpgw-registry-"));
    for (let i = 0; i < 30; i++) {
      const type = i === 7 ? "nonsense" : "string";
      writeFileSync(
        join(dir, `c${i}.yaml`),
        `name: c${i}\ndescription: d\nschema: { input: { type: object, properties: { q${i}: { type: ${type} } } } }\nrest: { base_url: 'https://a.b' }\n`,
      );
    }
    const atOnce = new CapabilityRegistry({ builtin: true, directories: [dir] });
    const inSlices = new CapabilityRegistry({ builtin: true, directories: [dir] });
    const once = atOnce.load();
    const sliced = await inSlices.loadGradually(0);
    expect(inSlices.list().map((c) => c.name)).toEqual(atOnce.list().map((c) => c.name));
    expect(sliced).toEqual(once);
    expect(once.problems.map((p) => p.source)).toEqual([join(dir, "c7.yaml")]);
    expect(inSlices.get("c8")).toBeDefined();
  });
});

describe("templates", () => {
  test("lists arguments and required variables; defaults and $${ are not required", () => {
    expect(templateRefs("/a/{id}/{+path}?k=${KEY}&r=${R:-x}&e={env.E}&lit=$${NOT}")).toEqual({
      args: ["id", "path"],
      env: ["KEY", "E"],
    });
  });
});

describe("SSRF address classes", () => {
  const CASES: [string, string | undefined][] = [
    ["8.8.8.8", undefined],
    ["93.184.215.14", undefined],
    ["127.0.0.1", "a loopback"],
    ["127.8.9.10", "a loopback"],
    ["10.1.2.3", "a private"],
    ["172.16.0.1", "a private"],
    ["172.31.255.255", "a private"],
    ["172.32.0.1", undefined],
    ["192.168.1.1", "a private"],
    ["169.254.169.254", "a link-local"],
    ["100.64.0.1", "a shared (carrier-grade NAT)"],
    ["0.0.0.0", "an unspecified (this-network)"],
    ["224.0.0.1", "a multicast"],
    ["255.255.255.255", "a reserved"],
    ["::1", "a loopback"],
    ["::", "an unspecified"],
    ["[::1]", "a loopback"],
    ["::ffff:127.0.0.1", "a loopback"],
    ["::ffff:7f00:1", "a loopback"],
    ["::ffff:8.8.8.8", undefined],
    ["64:ff9b::10.0.0.1", "a private"],
    ["2002:a9fe:a9fe::1", "a link-local"],
    ["fd00::1", "a private (unique local)"],
    ["fe80::1%eth0", "a link-local"],
    ["ff02::1", "a multicast"],
    ["2606:4700:4700::1111", undefined],
  ];
  for (const [address, kind] of CASES) {
    test(`${address} is ${kind ?? "public"}`, () => {
      expect(classifyAddress(address)).toBe(kind);
    });
  }
});
