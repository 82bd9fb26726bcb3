import { afterAll, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importOpenApi } from "../../src/capabilities/openapi/import.ts";
import { tempDir } from "../helpers.ts";

const dir = tempDir("compat-12b-names-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The original's `cap import` names a capability as its format_name does: every character but
// letters, digits and `_` becomes `_`, the whole is lowercased, runs of `_` collapse, and the
// --prefix (as written) goes in front with `_`. Re-imported names must be the same, or the usage
// counts carried over (~/.mcp-gateway/usage.json) no longer find their tools.
test("cap import names operations as the original does (lowercased, `_` for other characters)", async () => {
  const spec = join(dir, "api.json");
  writeFileSync(
    spec,
    JSON.stringify({
      openapi: "3.0.3",
      info: { title: "Pets", version: "1" },
      servers: [{ url: "https://api.example.test" }],
      paths: {
        "/pets": { get: { operationId: "listPets", responses: { 200: { description: "ok" } } } },
        "/pets/{petId}": {
          get: {
            operationId: "pets.Get-One",
            parameters: [{ name: "petId", in: "path", required: true, schema: { type: "string" } }],
            responses: { 200: { description: "ok" } },
          },
        },
        "/user-info/v1.2": { get: { responses: { 200: { description: "ok" } } } },
      },
    }),
  );
  const plain = await importOpenApi(spec, {});
  expect(plain.capabilities.map((c) => c.name).sort()).toEqual([
    "get_user_info_v1_2",
    "listpets",
    "pets_get_one",
  ]);
  const prefixed = await importOpenApi(spec, { prefix: "pet" });
  expect(prefixed.capabilities.map((c) => c.name).sort()).toEqual([
    "pet_get_user_info_v1_2",
    "pet_listpets",
    "pet_pets_get_one",
  ]);
});
