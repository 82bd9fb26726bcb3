import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { runCliAsync } from "../cli/_run.ts";
import {
  BUN,
  connectHttp,
  FIXTURE_SERVER,
  freePort,
  ROOT,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

// Spawns the CLI: slow on a loaded machine.
setDefaultTimeout(60_000);

/**
 * The original gateway's commands (its clap definitions, src/cli/mod.rs and subcommands.rs) that
 * have no counterpart here, or another spelling: each is refused with what to use instead, never
 * as a bare unknown command (`tls` was answered "did you mean tools?") and never run as another
 * command (`audit verify` listed the audit log, as if it had verified something).
 */
describe("the original's commands without a counterpart", () => {
  test("say what to use here", async () => {
    const home = tempDir();
    const env = { HOME: home, PATH: process.env.PATH!, XDG_STATE_HOME: home };
    const cases: [string[], string][] = [
      [["tool", "completions", "bash"], "mcp-gateway completions bash|zsh|fish"],
      [["tool", "list"], "mcp-gateway cap list"],
      [["import", "preview", "--kind", "openapi", "spec.yaml"], "mcp-gateway cap import SPEC"],
      [["ranking", "eval"], "mcp-gateway tools eval"],
      [["tls", "init-ca"], "set server.tls"],
      [["trust", "generate"], "mcp-gateway lock"],
      [["identity", "grants", "list"], "keys create NAME --allow"],
      [["plugin", "list"], "cap install"],
      [["kubernetes", "plan"], "deploy/kubernetes/"],
      [["runtime", "compile"], "runtime profiles are not implemented"],
      [["audit", "verify"], "transparency log is not kept"],
      [["audit", "show", "--session", "s1"], "--caller, --tool and --since"],
      [["cap", "install", "github_get_repo", "--from-github"], "into your capabilities folder"],
    ];
    const results = await Promise.all(cases.map(([args]) => runCliAsync(args, { env })));
    results.forEach((result, i) => {
      const [args, hint] = cases[i]!;
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr.replace(/\s+/g, " "), args.join(" ")).toContain(hint);
    });
  });
});

/**
 * The original's --no-meta-mcp (its systemd units, after the config: `mcp-gateway --config FILE
 * --no-meta-mcp`) promised every tool directly: that is this gateway's flat mode, so the unit
 * starts and serves it (it was refused, and the unit did not start).
 */
describe("--no-meta-mcp", () => {
  test("serves flat mode: every backend tool listed directly, no meta tools", async () => {
    const config = writeConfig(`capabilities: { enabled: false }
backends:
  fixture: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`);
    const port = await freePort();
    const home = tempDir();
    const child = Bun.spawn(
      [BUN, join(ROOT, "src/main.ts"), "--config", config, "--no-meta-mcp", "--port", String(port)],
      {
        env: { ...process.env, HOME: home, XDG_STATE_HOME: home },
        stdout: "ignore",
        stderr: "pipe",
      },
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 20_000);
      const session = await connectHttp(url);
      try {
        const names = await waitFor(async () => {
          const listed = (await session.client.listTools()).tools.map((tool) => tool.name);
          return listed.includes("fixture__echo") ? listed : undefined;
        }, 20_000);
        expect(names).not.toContain("gateway_search_tools");
      } finally {
        await session.close();
      }
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
  });
});
