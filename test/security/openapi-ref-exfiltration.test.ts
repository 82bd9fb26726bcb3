/**
 * Attack: an OpenAPI spec whose `$ref`s read the importer's files (`file:///…`, `./…`) or reach
 * services on the importer's network, and `cap import` copies what they return into a tool
 * description that every client of the gateway then reads. File refs are refused unless
 * `--allow-file-refs`; http refs pass the SSRF guard (the spec's own server excepted).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCliAsync } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";

setDefaultTimeout(60_000);

const SECRET = "TOPSECRET-4242-do-not-leak";
const dir = tempDir("mcpgw-refs-");
const secretFile = join(dir, "secret.txt");
let internalHits = 0;
let internal: ReturnType<typeof Bun.serve>;
let specServer: ReturnType<typeof Bun.serve>;

/** A one-operation spec whose description (or parameter schema) is `ref`. */
function spec(ref: { description?: string; schema?: string }): string {
  return `openapi: 3.0.0
info: { title: Notes, version: "1" }
servers: [{ url: "https://api.example.com" }]
paths:
  /notes:
    get:
      operationId: listNotes
      summary: List notes
      ${ref.description ? `description: { $ref: "${ref.description}" }` : "description: Lists notes."}
      parameters:
        - name: q
          in: query
          schema: ${ref.schema ? `{ $ref: "${ref.schema}" }` : "{ type: string }"}
      responses: { "200": { description: ok } }
`;
}

beforeAll(() => {
  writeFileSync(secretFile, SECRET);
  // A service on the importer's own machine.
  internal = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch() {
      internalHits++;
      return Response.json({ type: "string", description: SECRET });
    },
  });
  // The operator's own spec server: a URL they typed may be private, and so may its own refs.
  specServer = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/schema.json") return Response.json({ type: "string", description: "Query." });
      if (path === "/same-origin.yaml") return new Response(spec({ schema: "./schema.json" }));
      return new Response(spec({ schema: `http://127.0.0.1:${internal.port}/schema.json` }));
    },
  });
});

afterAll(() => {
  internal?.stop(true);
  specServer?.stop(true);
});

async function capImport(specPath: string, ...flags: string[]) {
  const out = tempDir("mcpgw-refs-out-");
  const run = await runCliAsync(["cap", "import", specPath, "--output", out, ...flags], {
    env: { HOME: dir, PATH: process.env.PATH! },
  });
  const written = existsSync(out)
    ? readdirSync(out).map((file) => readFileSync(join(out, file), "utf8"))
    : [];
  return { ...run, written: written.join("\n") };
}

describe("cap import: $refs cannot read the importer's files", () => {
  const refs: [name: string, ref: string][] = [
    ["an absolute file:// URL", `file://${secretFile}`],
    ["a relative path", "./secret.txt"],
  ];
  for (const [name, ref] of refs) {
    test(`${name} is refused, naming the file and the flag`, async () => {
      const file = join(dir, `spec-${name.length}.yaml`);
      writeFileSync(file, spec({ description: ref }));
      const run = await capImport(file);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`$ref to the local file ${secretFile} refused`);
      expect(run.stderr).toContain("--allow-file-refs");
      expect(run.written).not.toContain(SECRET);
      expect(run.stdout).not.toContain(SECRET);
    });
  }

  test("--allow-file-refs lets a multi-file spec be imported", async () => {
    const file = join(dir, "spec-allowed.yaml");
    writeFileSync(file, spec({ description: "./secret.txt" }));
    const run = await capImport(file, "--allow-file-refs");
    expect(run.code).toBe(0);
    expect(run.written).toContain(SECRET);
  });
});

describe("cap import: $refs cannot reach private addresses", () => {
  test("a local spec's ref to a loopback service is refused before any request", async () => {
    const file = join(dir, "spec-http.yaml");
    writeFileSync(file, spec({ schema: `http://127.0.0.1:${internal.port}/schema.json` }));
    const before = internalHits;
    const run = await capImport(file);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("127.0.0.1 is a loopback address");
    expect(run.written).not.toContain(SECRET);
    expect(internalHits).toBe(before);
  });

  test("a spec the operator fetched from a private server may use its own refs, no other", async () => {
    const same = await capImport(`http://127.0.0.1:${specServer.port}/same-origin.yaml`);
    expect(same.stderr).toBe("");
    expect(same.code).toBe(0);
    const before = internalHits;
    const other = await capImport(`http://127.0.0.1:${specServer.port}/other-origin.yaml`);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("127.0.0.1 is a loopback address");
    expect(internalHits).toBe(before);
  });
});
