import { describe, expect, test } from "bun:test";
import { compactSchema, toMatch, toMatches, trimDescription } from "../../src/search/compact.ts";

describe("trimDescription", () => {
  test("a short description is kept, decoration removed", () => {
    expect(trimDescription("🎯 **Purpose:** List `issues`.")).toBe("Purpose: List issues.");
  });

  test("a long one is cut at a sentence end", () => {
    const text = `Lists issues in a repository. ${"Use it with care and read the guide first. ".repeat(20)}`;
    const trimmed = trimDescription(text, 120);
    expect(trimmed.length).toBeLessThanOrEqual(120);
    expect(trimmed.endsWith(".")).toBe(true);
    expect(trimmed.startsWith("Lists issues in a repository.")).toBe(true);
  });

  test("without a sentence end in reach, it is cut at a word with an ellipsis", () => {
    const trimmed = trimDescription("word ".repeat(100), 50);
    expect(trimmed.endsWith("…")).toBe(true);
    expect(trimmed.length).toBeLessThanOrEqual(51);
  });
});

describe("compactSchema", () => {
  test("keeps what shapes a valid call and drops the rest", () => {
    const long = `ISO time. ${"More words follow here. ".repeat(20)}`;
    const schema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      title: "Args",
      additionalProperties: false,
      properties: {
        state: { type: "string", enum: ["open", "closed"], default: "open", title: "State" },
        labels: { type: "array", items: { type: "string", examples: ["bug"] }, minItems: 1 },
        since: { type: "string", format: "date-time", description: long },
      },
      required: ["state"],
      $defs: { unused: { type: "string" } },
    };
    expect(compactSchema(schema)).toEqual({
      type: "object",
      properties: {
        state: { type: "string", enum: ["open", "closed"], default: "open" },
        labels: { type: "array", items: { type: "string" }, minItems: 1 },
        since: { type: "string", format: "date-time", description: trimDescription(long, 160) },
      },
      required: ["state"],
    });
    expect(trimDescription(long, 160).length).toBeLessThanOrEqual(160);
  });

  test("a property named like a schema keyword is kept", () => {
    const schema = {
      type: "object",
      properties: { title: { type: "string" }, $schema: { type: "string" } },
    };
    expect(compactSchema(schema)).toEqual(schema);
  });

  test("enum and default values are data, kept as they are", () => {
    const compact = compactSchema({ type: "object", default: { title: "x", $id: "y" } });
    expect(compact).toEqual({ type: "object", default: { title: "x", $id: "y" } });
  });
});

describe("toMatch", () => {
  test("a hit becomes the match a model can call from", () => {
    const tool = {
      name: "list_issues",
      description: `List issues. ${"Long guidance follows. ".repeat(40)}`,
      inputSchema: {
        type: "object" as const,
        $schema: "http://json-schema.org/draft-07/schema#",
        properties: { state: { type: "string", enum: ["open", "closed"] } },
      },
    };
    expect(toMatch({ server: "github", tool, score: 1.23456 })).toEqual({
      server: "github",
      tool: "list_issues",
      description: trimDescription(tool.description),
      inputSchema: {
        type: "object",
        properties: { state: { type: "string", enum: ["open", "closed"] } },
      },
      score: 1.235,
    });
  });
});

describe("toMatches", () => {
  const hit = (name: string, score: number) => ({
    server: "s",
    score,
    tool: {
      name,
      description: `Does ${name}. And much more besides.`,
      inputSchema: { type: "object" as const, properties: { x: { type: "string" } } },
    },
  });

  test("schemas for the first two and near ties, one line for the rest", () => {
    const matches = toMatches([hit("a", 10), hit("b", 3), hit("c", 6), hit("d", 5.9)]);
    expect(matches.map((m) => "inputSchema" in m)).toEqual([true, true, true, false]);
    expect(matches[3]).toEqual({ server: "s", tool: "d", description: "Does d.", score: 5.9 });
  });
});

describe("compactSchema, bounds and alternatives", () => {
  test("the safe-integer range and alternatives that accept anything say nothing", () => {
    expect(
      compactSchema({
        type: "object",
        properties: {
          n: { type: "integer", minimum: 0, maximum: 9007199254740991 },
          m: { type: "integer", minimum: -9007199254740991 },
          any: { anyOf: [{}, { type: "string" }] },
          twice: { anyOf: [{ type: "string" }, { type: "string" }, { type: "object" }] },
        },
      }),
    ).toEqual({
      type: "object",
      properties: {
        n: { type: "integer", minimum: 0 },
        m: { type: "integer" },
        any: {},
        twice: { anyOf: [{ type: "string" }, { type: "object" }] },
      },
    });
  });
});
