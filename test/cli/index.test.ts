import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { CommandDef } from "citty";
import { CLIENT_IDS, type CommandSpec, tree } from "../../src/cli/_tree.ts";
import { main } from "../../src/cli/index.ts";
import { CLIENTS } from "../../src/setup/clients.ts";
import { BUN, builtBinary, ROOT, tempDir } from "../helpers.ts";
import { runCli } from "./_run.ts";

setDefaultTimeout(60_000);

const ESC = String.fromCharCode(27);

function home(config = "backends: {}\n"): Record<string, string> {
  const dir = tempDir("mcpgw-cli-");
  writeFileSync(join(dir, "gateway.yaml"), config);
  return { HOME: dir, PATH: process.env.PATH ?? "", MCP_GATEWAY_CONFIG: join(dir, "gateway.yaml") };
}

/** Every command of the tree with its words from the top. */
function commands(spec: CommandSpec, path: string[] = []): [string[], CommandSpec][] {
  const subs = Object.entries(spec.subCommands ?? {});
  return [[path, spec], ...subs.flatMap(([name, sub]) => commands(sub, [...path, name]))];
}

describe("verbs and flags are checked", () => {
  test("an unknown flag is refused with the closest one, and nothing runs", () => {
    const env = home();
    const result = runCli(["list", "--jsn"], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "unknown option --jsn for mcp-gateway list: did you mean --json?",
    );
    // A flag that belongs to another command is not taken either; short and negated forms are.
    expect(runCli(["list", "--stdio"], { env }).code).toBe(1);
    expect(runCli(["list", "-q", "--json=true"], { env }).code).toBe(0);
    const wrongNegation = runCli(["serve", "--no-wach"], { env });
    expect(wrongNegation.code).toBe(1);
    expect(wrongNegation.stderr).toContain("did you mean --no-watch?");
    expect(runCli(["keys", "list", "-x"], { env }).stderr).toContain("unknown option -x");
  });

  test("flags before the command are the command's, as the original's global flags are", () => {
    const env = home();
    const other = tempDir("mcpgw-cli-");
    const config = join(other, "team.yaml");
    writeFileSync(config, 'backends:\n  notes:\n    command: "true"\n');
    // The original's units and client entries: `mcp-gateway -c FILE <command> ...`.
    const early = runCli(["-c", config, "--log-level", "debug", "list", "--json"], { env });
    expect(early.stderr).toBe("");
    expect(early.code).toBe(0);
    const listed = JSON.parse(early.stdout) as { config: string; backends: { name: string }[] };
    expect(listed.config).toBe(config);
    expect(listed.backends.map((b) => b.name)).toEqual(["notes"]);
    expect(runCli([`--config=${config}`, "list"], { env }).stdout).toContain("notes");
    // A flag the command does not take is refused under the command's name, and nothing runs.
    const wrong = runCli(["--port", "5", "list"], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("unknown option --port for mcp-gateway list");
    // Words after `--` stay where they were (a backend's own command line).
    expect(runCli(["-c", config, "add", "x", "--", "srv", "--port", "1"], { env }).code).toBe(0);
    expect(readFileSync(config, "utf8")).toContain("--port");
  });

  test("an unknown verb suggests the closest, at the top and under a group", () => {
    const env = home();
    const top = runCli(["lsit"], { env });
    expect(top.code).toBe(1);
    expect(top.stderr).toContain("unknown command lsit: did you mean list");
    expect(top.stdout).toBe("");
    const nested = runCli(["keys", "revok", "x"], { env });
    expect(nested.code).toBe(1);
    expect(nested.stderr).toContain("unknown command keys revok: did you mean revoke?");
    const group = runCli(["keys"], { env });
    expect(group.code).toBe(1);
    expect(group.stderr).toContain("keys needs a command: create, list, revoke");
  });

  test("--help wins over a wrong flag and names the command by its whole path", () => {
    const env = home();
    const help = runCli(["keys", "create", "--jsno", "--help"], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("USAGE mcp-gateway keys create [OPTIONS] <NAME>");
    expect(help.stdout).toContain("--log-level");
    // A missing argument says where to look.
    const missing = runCli(["remove"], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("(see mcp-gateway remove --help)");
  });

  test("keys revoke suggests the close names", () => {
    const env = home(
      `auth:\n  api_keys:\n    - name: laptop\n      key: "sha256:${"0".repeat(64)}"\n`,
    );
    const result = runCli(["keys", "revoke", "lapton"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no key named lapton; did you mean laptop?");
  });

  test("every command takes --log-level and --log-format, and checks them", () => {
    for (const [path, spec] of commands(tree)) {
      if (spec.subCommands && !spec.args) continue; // a group only names its commands
      expect(Object.keys(spec.args ?? {}), path.join(" ")).toContain("log-level");
      expect(Object.keys(spec.args ?? {}), path.join(" ")).toContain("log-format");
    }
    const result = runCli(["completions", "bash", "--log-level", "loud"], { env: home() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--log-level must be one of");
  });

  test("the commands that run are the tree's: same names, same flags", async () => {
    const load = async (value: unknown) =>
      (typeof value === "function" ? await value() : await value) as CommandDef;
    const walk = async (command: CommandDef, spec: CommandSpec, path: string): Promise<void> => {
      expect(await load(command.args), path).toEqual(spec.args as never);
      const subs = ((await load(command.subCommands)) ?? {}) as Record<string, unknown>;
      expect(Object.keys(subs), path).toEqual(Object.keys(spec.subCommands ?? {}));
      for (const [name, sub] of Object.entries(subs)) {
        await walk(await load(sub), spec.subCommands![name]!, `${path} ${name}`);
      }
    };
    await walk(main as CommandDef, tree, "mcp-gateway");
  });

  test("the tree's client ids are setup's clients", () => {
    expect(Object.keys(CLIENTS)).toEqual([...CLIENT_IDS]);
  });
});

describe("colour only on a terminal", () => {
  const main = join(ROOT, "src/main.ts");

  test("piped help and errors carry no escape codes, even without NO_COLOR", () => {
    // NO_COLOR="" is unset by no-color.org's rule; runCli sets NO_COLOR=1 otherwise.
    const env = { ...home(), NO_COLOR: "", TERM: "xterm-256color" };
    for (const args of [["--help"], ["list", "--help"], ["cap", "--help"]]) {
      const help = runCli(args, { env });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("USAGE");
      expect(help.stdout).not.toContain(ESC);
    }
    const error = runCli(["list", "--jsn"], { env });
    expect(error.stderr).toContain("unknown option");
    expect(error.stderr).not.toContain(ESC);
  });

  // `script` (util-linux) runs the command on a pseudo-terminal.
  test.skipIf(Bun.which("script") === null)(
    "on a terminal help is coloured unless NO_COLOR; a log redirected to a file is plain",
    () => {
      const env: Record<string, string> = { ...home(), TERM: "xterm-256color" };
      const onTerminal = (command: string, extra: Record<string, string> = {}) =>
        Bun.spawnSync(["script", "-qec", command, "/dev/null"], {
          env: { ...env, ...extra },
        }).stdout.toString();
      expect(onTerminal(`${BUN} ${main} --help`)).toContain(`${ESC}[`);
      expect(onTerminal(`${BUN} ${main} --help`, { NO_COLOR: "1" })).not.toContain(ESC);
      expect(onTerminal(`${BUN} ${main} list --jsn`)).toContain(`${ESC}[`);
      const log = join(env.HOME!, "err.log");
      onTerminal(`${BUN} ${main} list --jsn 2>${log}`);
      const written = readFileSync(log, "utf8");
      expect(written).toContain("unknown option --jsn");
      expect(written).not.toContain(ESC);
    },
  );
});

describe("help and completion load no command", () => {
  /** The files `file` imports statically, transitively (dynamic imports are not followed). */
  function staticImports(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    const transpiler = new Bun.Transpiler({ loader: "ts" });
    for (const entry of transpiler.scanImports(readFileSync(file, "utf8"))) {
      if (entry.kind !== "import-statement") continue;
      if (entry.path.startsWith(".")) staticImports(resolve(dirname(file), entry.path), seen);
      else seen.add(entry.path);
    }
    return seen;
  }

  test("the CLI's entry and the completions command import no command, SDK or config code", () => {
    for (const entry of ["src/cli/index.ts", "src/cli/commands/completions.ts"]) {
      const loaded = [...staticImports(join(ROOT, entry))].map((path) =>
        path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path,
      );
      const heavy = loaded.filter(
        (path) =>
          (path.startsWith("src/cli/commands/") && path !== entry) ||
          path.startsWith("@modelcontextprotocol/") ||
          path.startsWith("src/config/") ||
          path === "zod",
      );
      expect(heavy, entry).toEqual([]);
    }
  });

  // GNU time reports the child's own peak: Bun's resourceUsage under `bun test` did not (it
  // repeated one figure for every child after a build).
  const gnuTime = "/usr/bin/time";
  test.skipIf(!existsSync(gnuTime))(
    "on the compiled binary, help, completions and the commands that read the config stay under 40 MB",
    () => {
      const binary = builtBinary();
      // One backend and one key, as bench/cli.ts measures them.
      const env = home(
        [
          "backends:",
          "  memory:",
          "    command: npx",
          "    args: [-y, '@modelcontextprotocol/server-memory']",
          "auth:",
          "  api_keys:",
          "    - name: ci",
          `      key: "sha256:${"0".repeat(64)}"`,
          "",
        ].join("\n"),
      );
      const report = join(env.HOME!, "time.txt");
      const commands = [
        ["--help"],
        ["keys", "create", "--help"],
        ["completions", "bash"],
        ["list"],
        ["list", "--quiet"],
        ["keys", "list"],
        ["config", "export"],
      ];
      for (const args of commands) {
        // A first run unmeasured (it stores the validated config in the cache the next read),
        // then the median of three: one run's peak moves by a few MB with when the collector
        // runs (bench/cli.ts reports the p50 of 20).
        const peaks = [-1, 0, 1, 2].map(() => {
          const result = Bun.spawnSync([gnuTime, "-f", "%M", "-o", report, binary, ...args], {
            env,
            // Not the repository: its capabilities/ would be named in a warning (as the
            // original gateway's default folder), a line no user in their home folder sees.
            cwd: env.HOME,
            stdout: "pipe",
            stderr: "pipe",
          });
          expect(result.exitCode, args.join(" ")).toBe(0);
          return Number(readFileSync(report, "utf8").trim()) / 1024;
        });
        const measured = peaks.slice(1);
        const mb = measured.sort((a, b) => a - b)[1]!;
        expect(
          mb,
          `${args.join(" ")}: ${measured.map((p) => p.toFixed(1)).join(", ")} MB`,
        ).toBeLessThan(40);
      }
    },
  );
});
