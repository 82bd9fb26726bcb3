import { describe, expect, test } from "bun:test";
import { callPath, toDeclaration, toType } from "../../src/codemode/typescript.ts";

describe("JSON Schema to TypeScript", () => {
  const cases: [string, unknown, string][] = [
    ["string", { type: "string" }, "string"],
    ["integer", { type: "integer" }, "number"],
    ["enum", { enum: ["a", "b", 1] }, '"a" | "b" | 1'],
    ["const", { const: "x" }, '"x"'],
    ["nullable", { type: ["string", "null"] }, "string | null"],
    [
      "array of union",
      { type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } },
      "(string | number)[]",
    ],
    [
      "object with required, optional and odd keys",
      {
        type: "object",
        properties: { a: { type: "string" }, "b-c": { type: "boolean" } },
        required: ["a"],
      },
      '{ a: string; "b-c"?: boolean }',
    ],
    [
      "map",
      { type: "object", additionalProperties: { type: "number" } },
      "{ [key: string]: number }",
    ],
    ["bare object", { type: "object" }, "Record<string, unknown>"],
    [
      "allOf",
      {
        allOf: [
          { type: "object", properties: { a: { type: "string" } } },
          { type: "object", properties: { b: { type: "number" } } },
        ],
      },
      "{ a?: string } & { b?: number }",
    ],
    ["$ref", { $ref: "#/$defs/x" }, "unknown"],
    [
      "property notes",
      { type: "object", properties: { q: { type: "string", description: "The query */ here" } } },
      "{ /** The query * / here */ q?: string }",
    ],
  ];
  for (const [name, schema, expected] of cases) {
    test(name, () => expect(toType(schema, 0)).toBe(expected));
  }

  test("names that are not identifiers use brackets, as scripts call them", () => {
    expect(callPath("everything", "get-sum")).toBe('tools.everything["get-sum"]');
    expect(callPath("my-server", "read")).toBe('tools["my-server"].read');
  });

  test("a tool's output schema types its promise", () => {
    const declaration = toDeclaration("files", {
      name: "stat",
      description: "File facts",
      inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
      outputSchema: {
        type: "object",
        properties: { size: { type: "integer" } },
        required: ["size"],
      },
    });
    expect(declaration).toBe(
      "/** File facts */\ntools.files.stat(args: { path: string }): Promise<{ size: number }>",
    );
  });

  test("deep schemas end in unknown instead of recursing on", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 20; i++) schema = { type: "array", items: schema };
    expect(toType(schema, 0)).toContain("unknown");
  });
});
