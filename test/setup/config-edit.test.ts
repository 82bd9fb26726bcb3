import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigEditor } from "../../src/config/edit.ts";
import { tempDir } from "../helpers.ts";

const entry = { command: "uvx", args: ["mcp-server-time"], env: { TZ: "${TZ:-UTC}" } };
const block =
  '  time:\n    command: uvx\n    args: ["mcp-server-time"]\n    env:\n      TZ: "${TZ:-UTC}"\n';

const editor = (text: string, name = "gateway.yaml") =>
  new ConfigEditor(join(tempDir(), name), text);

describe("comment-keeping config edits (src/config/edit.ts)", () => {
  test.each([
    [
      "no backends key",
      "# c\nserver:\n  port: 1\n",
      `# c\nserver:\n  port: 1\n\nbackends:\n${block}`,
    ],
    ["empty file", "", `backends:\n${block}`],
    ["flow {} with a comment", "backends: {} # none\nx: 1\n", `backends: # none\n${block}x: 1\n`],
    ["null value", "backends:\n# later\n", `backends:\n${block}# later\n`],
    [
      "block map with inner and trailing comments",
      "backends:\n  # a\n  a:\n    command: x # why\n    # inner\n\n# after\nz: 1\n",
      `backends:\n  # a\n  a:\n    command: x # why\n    # inner\n${block}\n# after\nz: 1\n`,
    ],
  ])("add to %s", (_, before, after) => {
    const edit = editor(before);
    edit.setBackend("time", entry);
    expect(edit.text).toBe(after);
  });

  test("follows the file's own indentation", () => {
    const edit = editor("backends:\n    a:\n        command: x\n");
    edit.setBackend("b", { command: "y", env: { K: "v" } });
    expect(edit.text).toBe(
      'backends:\n    a:\n        command: x\n    b:\n        command: y\n        env:\n            K: "v"\n',
    );
  });

  test("replace keeps the entry's place and the comments around it; remove leaves them too", () => {
    const text =
      "backends:\n  # first\n  a:\n    command: x\n\n  # second\n  b:\n    command: y\n# end\n";
    const edit = editor(text);
    edit.setBackend("a", { url: "https://a.example/mcp" });
    expect(edit.text).toBe(
      "backends:\n  # first\n  a:\n    url: https://a.example/mcp\n\n  # second\n  b:\n    command: y\n# end\n",
    );
    expect(edit.removeBackend("b")).toBe(true);
    expect(edit.removeBackend("b")).toBe(false);
    expect(edit.text).toBe(
      "backends:\n  # first\n  a:\n    url: https://a.example/mcp\n\n  # second\n# end\n",
    );
    edit.removeBackend("a");
    expect(parseYaml(edit.text)).toEqual({ backends: {} });
    expect(edit.text).toContain("# first");
    // Commented examples left under it stay uncommentable: the key stays bare (it loads as none).
    const examples = editor("backends:\n  a:\n    command: x\n  # b:\n  #   command: y\nz: 1\n");
    examples.removeBackend("a");
    expect(examples.text).toBe("backends:\n  # b:\n  #   command: y\nz: 1\n");
  });

  test("a non-empty flow map is still edited correctly (through the document model)", () => {
    const edit = editor("# keep\nbackends: { a: { command: x } }\n");
    edit.setBackend("b", { command: "y" });
    expect(parseYaml(edit.text)).toEqual({
      backends: { a: { command: "x" }, b: { command: "y" } },
    });
    expect(edit.text).toContain("# keep");
  });

  test("JSON configs are edited in place; TOML configs are refused with a reason", () => {
    const edit = editor('{\n  // mine\n  "server": { "port": 1 }\n}\n', "gateway.jsonc");
    edit.setBackend("time", entry);
    expect(edit.text).toContain("// mine");
    expect(edit.backends()).toEqual({ time: entry });
    expect(edit.validate({}).backends[0]!.env).toEqual({ TZ: "UTC" });
    expect(() => editor("", "gateway.toml")).toThrow(
      "TOML configs cannot be edited by this command",
    );
  });

  test("a broken file is reported, not overwritten", () => {
    const edit = editor("backends:\n  a: [unclosed\n");
    expect(() => edit.setBackend("b", { command: "y" })).toThrow("cannot parse");
  });
});
