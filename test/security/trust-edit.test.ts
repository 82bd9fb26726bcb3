import { describe, expect, test } from "bun:test";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseYaml } from "yaml";
import { addTrustedTool } from "../../src/security/trust-edit.ts";

// The dashboard's quarantine release writes `security.trusted_tools` into the operator's own
// file: every layout must come out with the entry added and every comment kept.
describe("addTrustedTool", () => {
  const yamlCases: [string, string][] = [
    ["no security section", "# top comment\nbackends: {}\n"],
    ["an empty security line", "# top comment\nsecurity:\nbackends: {}\n"],
    ["a flow security map", "# top comment\nsecurity: { poisoning: quarantine }\n"],
    [
      "a block security map",
      "# top comment\nsecurity:\n  poisoning: quarantine # why\nbackends: {}\n",
    ],
    [
      "an existing list",
      "# top comment\nsecurity:\n  trusted_tools:\n    - mine:deploy # vouched for\n",
    ],
    ["an existing flow list", '# top comment\nsecurity:\n  trusted_tools: ["mine:deploy"]\n'],
  ];

  test.each(yamlCases)("YAML with %s", (_name, text) => {
    const out = addTrustedTool(text, "/x/gateway.yaml", "pz:add")!;
    expect(out).toContain("# top comment");
    for (const comment of text.match(/# \w+( \w+)*/g) ?? []) expect(out).toContain(comment);
    const before = parseYaml(text) ?? {};
    const after = parseYaml(out);
    const kept = (before.security?.trusted_tools as string[] | undefined) ?? [];
    expect(after.security.trusted_tools).toEqual([...kept, "pz:add"]);
    expect({ ...after, security: undefined }).toEqual({ ...before, security: undefined });
  });

  test("an entry already listed changes nothing", () => {
    const text = "security:\n  trusted_tools: [pz:add]\n";
    expect(addTrustedTool(text, "/x/gateway.yml", "pz:add")).toBeUndefined();
  });

  test("JSONC keeps its comments", () => {
    const text = '{\n  // mine\n  "security": { "poisoning": "quarantine" }\n}\n';
    const out = addTrustedTool(text, "/x/gateway.jsonc", "pz:add")!;
    expect(out).toContain("// mine");
    expect(parseJsonc(out).security).toEqual({
      poisoning: "quarantine",
      trusted_tools: ["pz:add"],
    });
  });

  test("TOML and a security that is not a mapping are refused, saying what to do", () => {
    expect(() => addTrustedTool("", "/x/gateway.toml", "pz:add")).toThrow(
      'add "pz:add" to security.trusted_tools by hand',
    );
    expect(() => addTrustedTool("security: [1]\n", "/x/gateway.yaml", "pz:add")).toThrow(
      "security: expected a mapping",
    );
  });
});
