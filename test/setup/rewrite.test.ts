import { describe, expect, test } from "bun:test";
import { parseTOML } from "confbox";
import { parse as parseJsonc } from "jsonc-parser";
import type { ClientFile } from "../../src/setup/clients.ts";
import { rewriteClientText } from "../../src/setup/rewrite.ts";

const codex: ClientFile = { client: "codex", path: "/h/.codex/config.toml", scope: "user" };
const cursor: ClientFile = { client: "cursor", path: "/h/.cursor/mcp.json", scope: "user" };
const gateway = { command: "/usr/bin/mcp-gateway", args: ["serve", "--stdio"] };

describe("client rewrite", () => {
  test("Codex: quoted and nested server tables go, everything else stays byte for byte", () => {
    const text = `# top
model = "o3"

[mcp_servers."my.server"] # quoted name
command = "a"

[mcp_servers."my.server".env]
K = "v"

[mcp_servers.keep]
command = "b"

[mcp_servers.'single']
command = "c"

[tui]
theme = "dark"
`;
    const out = rewriteClientText(
      codex,
      text,
      [
        ["mcp_servers", "my.server"],
        ["mcp_servers", "single"],
      ],
      gateway,
    );
    expect(out).toBe(`# top
model = "o3"

[mcp_servers.keep]
command = "b"

[tui]
theme = "dark"

[mcp_servers.mcp-gateway]
command = "/usr/bin/mcp-gateway"
args = ["serve", "--stdio"]
`);
    // A second run replaces the gateway's own table instead of adding another.
    const again = rewriteClientText(codex, out, [], { url: "http://127.0.0.1:39400/mcp" });
    expect(parseTOML(again)).toEqual({
      model: "o3",
      mcp_servers: { keep: { command: "b" }, "mcp-gateway": { url: "http://127.0.0.1:39400/mcp" } },
      tui: { theme: "dark" },
    });
  });

  test("Codex servers written inline cannot be rewritten safely: refused with a reason", () => {
    const text = `mcp_servers = { a = { command = "x" } }\n`;
    expect(() => rewriteClientText(codex, text, [["mcp_servers", "a"]], gateway)).toThrow(
      "/h/.codex/config.toml: cannot be rewritten safely",
    );
  });

  test("JSON: tabs, CRLF and comments of the file are kept", () => {
    const text =
      '{\r\n\t// servers\r\n\t"mcpServers": {\r\n\t\t"a": {"command": "x"},\r\n\t\t"b": {"command": "y"}\r\n\t},\r\n\t"other": 1\r\n}\r\n';
    const out = rewriteClientText(cursor, text, [["mcpServers", "a"]], { url: "http://g/mcp" });
    expect(out).toContain("\t// servers\r\n");
    expect(out).toContain('\t\t"mcp-gateway": {\r\n\t\t\t"url": "http://g/mcp"\r\n\t\t}');
    expect(out).not.toMatch(/[^\r]\n/);
    expect(parseJsonc(out)).toEqual({
      mcpServers: { b: { command: "y" }, "mcp-gateway": { url: "http://g/mcp" } },
      other: 1,
    });
  });

  test("JSON with a trailing comma keeps it at the end of a line, not alone on one", () => {
    const vscode: ClientFile = { client: "vscode", path: "/h/mcp.json", scope: "user" };
    const text =
      '{\n  "servers": {\n    "a": { "command": "x" },\n    "b": { "url": "https://b" },\n  },\n  "inputs": []\n}\n';
    const out = rewriteClientText(
      vscode,
      text,
      [
        ["servers", "a"],
        ["servers", "b"],
      ],
      { type: "http", url: "http://g" },
    );
    expect(out).toBe(
      '{\n  "servers": {\n    "mcp-gateway": {\n      "type": "http",\n      "url": "http://g"\n    },\n  },\n  "inputs": []\n}\n',
    );
  });

  test("an empty client file gets just the gateway", () => {
    expect(parseJsonc(rewriteClientText(cursor, "", [], { url: "http://g/mcp" }))).toEqual({
      mcpServers: { "mcp-gateway": { url: "http://g/mcp" } },
    });
    expect(parseTOML(rewriteClientText(codex, "", [], gateway))).toEqual({
      mcp_servers: { "mcp-gateway": gateway },
    });
  });
});
