import { expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseYaml } from "yaml";
import { BUN, ROOT } from "../helpers.ts";
import { clientHome, read } from "../setup/_home.ts";

setDefaultTimeout(60_000);

/** The terminal output with escape sequences and all whitespace removed, for matching. */
const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");
const plain = (text: string) => text.replace(ESCAPE, "").replace(/\s+/g, "");

// `script` (util-linux) gives the command a real pseudo-terminal, as a user's shell would.
test.skipIf(Bun.which("script") === null)(
  "on a terminal, setup shows its progress and asks which servers and clients to take",
  async () => {
    const box = clientHome();
    const command = `${BUN} ${join(ROOT, "src/main.ts")} setup --configure-client --client cursor,windsurf`;
    const proc = Bun.spawn(["script", "-qec", command, "/dev/null"], {
      cwd: box.project,
      env: { ...box.env, TERM: "xterm-256color", COLUMNS: "120", LINES: "40" },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    let out = "";
    const reading = (async () => {
      for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
    })();
    const waitFor = async (text: string) => {
      const wanted = plain(text);
      for (let i = 0; i < 400 && !plain(out).includes(wanted); i++) await Bun.sleep(50);
      expect(plain(out)).toContain(wanted);
    };

    await waitFor("Import which servers into the gateway?");
    expect(plain(out)).toContain(plain("scanning"));
    // Every server starts selected: the space bar deselects the first (github), Enter submits.
    proc.stdin.write(" ");
    proc.stdin.write("\r");
    proc.stdin.flush();
    await waitFor("Point which client files at the gateway?");
    proc.stdin.write("\r");
    proc.stdin.flush();
    expect(await proc.exited).toBe(0);
    await reading;

    expect(Object.keys(parseYaml(read(box.config)).backends)).toEqual([
      "filesystem",
      "linear",
      "context7",
    ]);
    const cursor = parseJsonc(read(join(box.home, ".cursor/mcp.json")));
    expect(Object.keys(cursor.mcpServers)).toEqual(["github", "mcp-gateway"]);
  },
);
