import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUILTINS_FILE,
  CATALOG_MODULE,
  renderBuiltinsFile,
  renderCatalogModule,
} from "../../scripts/gen-catalog.ts";
import { BUILTIN_FILES } from "../../src/capabilities/_catalog.gen.ts";
import { loadBuiltinCapabilities } from "../../src/capabilities/catalog.ts";
import { catalogEntries } from "../../src/capabilities/catalog-index.ts";
import { executeCapability } from "../../src/capabilities/execute.ts";
import { parseCapability } from "../../src/capabilities/load.ts";
import { missingEnv } from "../../src/capabilities/registry.ts";
import type { Capability } from "../../src/capabilities/resolve.ts";
import { staticImports } from "../_imports.ts";
import { builtBinary, firstText, freePort, ROOT, tempDir, waitFor } from "../helpers.ts";
import { pointAt, startUpstream, type Upstream } from "./_upstream.ts";
import { CATALOG_CASES as FIRST_CASES } from "./catalog-cases.ts";
import { MORE_CATALOG_CASES } from "./catalog-cases-more.ts";

const results = loadBuiltinCapabilities();
const duplicateCases = Object.keys(MORE_CATALOG_CASES).filter((name) => name in FIRST_CASES);
const CATALOG_CASES = { ...FIRST_CASES, ...MORE_CATALOG_CASES };
const builtins = results.flatMap((result) => (result.ok ? [result.capability] : []));

let upstream: Upstream;
/** What the stand-in API answers next. */
let next: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(() => {
  upstream = startUpstream(() =>
    // A text answer (an XML feed) is sent as it is; anything else as JSON.
    typeof next.body === "string"
      ? new Response(next.body, {
          status: next.status,
          headers: { "content-type": next.body.startsWith("<") ? "application/xml" : "text/plain" },
        })
      : Response.json(next.body, { status: next.status }),
  );
});
afterAll(() => upstream?.stop());

describe("built-in catalog", () => {
  test("every file validates, schemas compiled (which start-up skips for the catalog)", () => {
    expect(results.filter((result) => !result.ok)).toEqual([]);
    const compiled = Object.entries(BUILTIN_FILES).map(([file, text]) =>
      parseCapability(text, file),
    );
    expect(compiled.filter((result) => !result.ok)).toEqual([]);
  });

  test("at least 110 capabilities, at least 60 of them needing no key", () => {
    expect(builtins.length).toBeGreaterThanOrEqual(110);
    const keyless = builtins.filter((capability) => capability.requiredEnv.length === 0);
    expect(keyless.length).toBeGreaterThanOrEqual(60);
  });

  test("each has 3 or more examples for the search, a category and tags", () => {
    const lacking = builtins
      .filter((c) => c.examples.length < 3 || !c.category || c.tags.length === 0)
      .map(
        (c) =>
          `${c.name}: ${c.examples.length} examples, category ${c.category}, ${c.tags.length} tags`,
      );
    expect(lacking).toEqual([]);
  });

  test("each has a described input schema, a category and explicit read-only annotation", () => {
    for (const capability of builtins) {
      const properties = capability.inputSchema.properties as Record<
        string,
        { description?: string }
      >;
      for (const [name, property] of Object.entries(properties)) {
        expect(`${capability.name}.${name}: ${typeof property.description}`).toBe(
          `${capability.name}.${name}: string`,
        );
      }
      expect(capability.category).toBeTruthy();
      expect(capability.tags.length).toBeGreaterThan(0);
      expect(capability.annotations.readOnlyHint).toBeBoolean();
      expect(capability.notes).toEqual([]);
    }
  });

  test("a capability that needs a key names its environment variable in its description", () => {
    for (const capability of builtins) {
      for (const variable of [...capability.requiredEnv, ...capability.optionalEnv]) {
        expect(capability.description).toContain(variable);
      }
    }
  });

  test("every capability has a test case, and every case a capability", () => {
    expect(duplicateCases).toEqual([]);
    expect(Object.keys(CATALOG_CASES).sort()).toEqual(builtins.map((c) => c.name).sort());
  });

  test("docs/capabilities.md lists every built-in", () => {
    const docs = readFileSync(join(ROOT, "docs/capabilities.md"), "utf8");
    const listed = new Set([...docs.matchAll(/^\|[^|]*\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1]));
    expect(builtins.map((c) => c.name).filter((name) => !listed.has(name))).toEqual([]);
  });

  test("the capability files shown in docs/capabilities.md load", () => {
    const docs = readFileSync(join(ROOT, "docs/capabilities.md"), "utf8");
    const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((match) => match[1]!)
      .filter((block) => /^(fulcrum|name):/m.test(block));
    expect(blocks.length).toBe(3);
    for (const block of blocks) {
      const result = parseCapability(block, "docs");
      expect(result.ok ? "ok" : result.errors.join("; ")).toBe("ok");
    }
  });

  test("serve's precomputed built-ins are what parsing each embedded file gives", () => {
    const parsed = Object.entries(BUILTIN_FILES).map(([file, text]) =>
      parseCapability(text, `builtin:${file}`, { checkSchemas: false }),
    );
    expect(results).toEqual(parsed);
  });

  test("serve loads the built-ins as resolved, not the files and index `cap` commands read", () => {
    // The capabilities backend, which serve imports when `capabilities.enabled`.
    const driver = staticImports("src/capabilities/driver.ts");
    expect(driver).toContain("src/capabilities/catalog.ts");
    expect(driver).not.toContain("src/capabilities/_catalog.gen.ts");
    expect(staticImports("src/cli/commands/serve.ts")).not.toContain(
      "src/capabilities/_catalog.gen.ts",
    );
  });

  test("the compiled binary serves the built-ins from its embedded builtins.json", async () => {
    const binary = builtBinary();
    const dir = tempDir();
    writeFileSync(join(dir, "gateway.yaml"), "backends: {}\n");
    const port = await freePort();
    // From an empty folder, with no keys: the built-ins that need none.
    const child = Bun.spawn(
      [binary, "serve", "--config", "gateway.yaml", "--port", String(port), "--log-level", "error"],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, XDG_STATE_HOME: dir },
        stdout: "ignore",
      },
    );
    try {
      const keyless = builtins.filter((c) => !c.unavailable && missingEnv(c, {}).length === 0);
      const health = await waitFor(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        const body = (await response?.json()) as
          | { backends: Record<string, { state: string; tools: number }> }
          | undefined;
        return body?.backends.capabilities?.state === "ready" ? body : undefined;
      }, 30_000);
      expect(health?.backends.capabilities?.tools).toBe(keyless.length);
      expect(keyless.length).toBeGreaterThan(100);
    } finally {
      child.kill();
      await child.exited;
    }
  }, 180_000);

  test("the embedded module is up to date with capabilities/ (npm run build regenerates it)", () => {
    expect(readFileSync(CATALOG_MODULE, "utf8")).toBe(renderCatalogModule());
    expect(readFileSync(BUILTINS_FILE, "utf8")).toBe(renderBuiltinsFile());
  });

  test("the embedded index has one entry per built-in, as the file defines it", () => {
    expect(catalogEntries().map((entry) => entry.name)).toEqual(
      Object.keys(BUILTIN_FILES).map(
        (file) => builtins.find((c) => c.source === `builtin:${file}`)!.name,
      ),
    );
    for (const entry of catalogEntries()) {
      const capability = builtins.find((c) => c.name === entry.name)!;
      expect(entry).toMatchObject({
        description: capability.description,
        tags: capability.tags,
        examples: capability.examples,
        requires_env: capability.requiredEnv,
        optional_env: capability.optionalEnv,
        input: capability.inputSchema,
      });
    }
  });
});

describe("each built-in capability against a stand-in of its API", () => {
  for (const [name, testCase] of Object.entries(CATALOG_CASES)) {
    test(name, async () => {
      const capability = builtins.find((c) => c.name === name) as Capability;
      expect(capability).toBeDefined();
      next = { status: testCase.status ?? 200, body: testCase.response };
      const before = upstream.requests.length;
      const result = await executeCapability(pointAt(capability, upstream.origin), testCase.args, {
        env: testCase.env ?? {},
        allowPrivateNetworks: true,
      });
      const text = firstText(result);
      expect(result.isError ? text : "ok").toBe("ok");
      for (const fragment of testCase.expect) expect(text).toContain(fragment);

      expect(upstream.requests.length).toBe(before + 1);
      const seen = upstream.requests.at(-1)!;
      expect(seen.method).toBe(testCase.request.method ?? "GET");
      expect(seen.url.pathname).toBe(testCase.request.path);
      for (const [key, value] of Object.entries(testCase.request.query ?? {})) {
        const actual = seen.url.searchParams.get(key);
        if (value.startsWith("^")) expect(actual ?? "").toStartWith(value.slice(1));
        else expect(`${key}=${actual}`).toBe(`${key}=${value}`);
      }
      for (const [key, value] of Object.entries(testCase.request.headers ?? {})) {
        expect(`${key}: ${seen.headers.get(key)}`).toBe(`${key}: ${value}`);
      }
      if (testCase.request.body !== undefined) {
        expect(JSON.parse(seen.body)).toEqual(testCase.request.body);
      }
    });
  }
});
