import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, ROOT, tempDir } from "../helpers.ts";
import { runCli } from "./_run.ts";

setDefaultTimeout(60_000);

// A HOME with one configured backend, and `mcp-gateway` on PATH (the scripts call it for names).
const home = tempDir("mcpgw-complete-");
const bin = join(home, "bin");
const env = { HOME: home, PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` };
const scripts: Record<string, string> = {};

beforeAll(() => {
  mkdirSync(bin);
  const wrapper = join(bin, "mcp-gateway");
  writeFileSync(wrapper, `#!/bin/sh\nexec "${BUN}" "${join(ROOT, "src/main.ts")}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  expect(runCli(["add", "my-memory", "--", "node", "memory.js"], { env }).code).toBe(0);
  for (const shell of ["bash", "zsh", "fish"]) {
    const run = runCli(["completions", shell], { env });
    expect(run.code).toBe(0);
    scripts[shell] = join(home, `completion.${shell}`);
    writeFileSync(scripts[shell]!, run.stdout);
  }
});

function shell(program: string, args: string[]): string {
  const result = Bun.spawnSync([program, ...args], { env, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${program} failed: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

const has = (program: string) => Bun.which(program) !== null;

/** Cases shared by the three shells: the words typed, and what must (not) be offered. */
const CASES: { words: string[]; want: string[]; not?: string[] }[] = [
  { words: ["se"], want: ["serve", "setup"], not: ["add"] },
  { words: ["setup", ""], want: ["restore"] },
  { words: ["setup", "--con"], want: ["--configure-client", "--config"] },
  { words: ["setup", "--client", ""], want: ["claude-desktop", "codex", "zed"] },
  { words: ["setup", "restore", "--"], want: ["--list", "--force"], not: ["--yes"] },
  { words: ["config", "export", "--format", ""], want: ["yaml", "json"] },
  { words: ["remove", ""], want: ["my-memory"] },
  { words: ["add", "git"], want: ["github", "gitlab", "git"] },
  { words: ["completions", ""], want: ["bash", "zsh", "fish"] },
];

describe("completions", () => {
  test("bash: verbs, sub-verbs, flags, flag values, backend and registry names", () => {
    const body = CASES.map(
      ({ words }) =>
        `COMP_WORDS=(mcp-gateway ${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length}; _mcp_gateway; echo "\${COMPREPLY[*]}"`,
    ).join("\n");
    const lines = shell("bash", ["-c", `source ${scripts.bash}\n${body}`]).split("\n");
    CASES.forEach((c, i) => {
      const offered = lines[i]!.split(" ");
      for (const word of c.want) expect(offered, c.words.join(" ")).toContain(word);
      for (const word of c.not ?? []) expect(offered, c.words.join(" ")).not.toContain(word);
    });
  });

  test.skipIf(!has("zsh"))("zsh: the same answers through compadd and _describe", () => {
    const stubs = `compdef() { :; }
compadd() { [[ $1 == -- ]] && shift; print -r -- "$*"; }
_describe() { print -r -- "\${(j: :)\${(@)\${(P)2}%%:*}}"; }
_files() { print -r -- "<files>"; }`;
    const body = CASES.map(
      ({ words }) =>
        `words=(mcp-gateway ${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length + 1}; _mcp_gateway`,
    ).join("\n");
    const lines = shell("zsh", ["-f", "-c", `${stubs}\nsource ${scripts.zsh}\n${body}`]).split(
      "\n",
    );
    CASES.forEach((c, i) => {
      const last = c.words.at(-1)!;
      const offered = lines[i]!.split(" ").filter((word) => word.startsWith(last));
      for (const word of c.want) expect(offered, c.words.join(" ")).toContain(word);
      for (const word of c.not ?? []) expect(offered, c.words.join(" ")).not.toContain(word);
    });
  });

  test.skipIf(!has("fish"))("fish: the same answers through complete -C", () => {
    const body = CASES.map(
      ({ words }) => `complete -C'mcp-gateway ${words.join(" ")}'; echo ---`,
    ).join("\n");
    const blocks = shell("fish", ["-c", `source ${scripts.fish}\n${body}`]).split("---\n");
    CASES.forEach((c, i) => {
      const offered = blocks[i]!.split("\n").map((line) => line.split("\t")[0]);
      for (const word of c.want) expect(offered, c.words.join(" ")).toContain(word);
      for (const word of c.not ?? []) expect(offered, c.words.join(" ")).not.toContain(word);
    });
  });

  test("an unknown shell is refused", () => {
    const run = runCli(["completions", "powershell"], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("shell must be bash, zsh or fish");
  });
});
