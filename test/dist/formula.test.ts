import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { BUN, ROOT, tempDir } from "../helpers.ts";

// `npm run formula` from a release's SHA256SUMS, checked by Ruby itself when it is installed.
const RUBY = Bun.which("ruby");
if (!RUBY)
  console.warn("formula test: no ruby, so the Ruby checks are skipped (apt-get install ruby)");

const ASSETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"];
const digest = (index: number) => String(index + 1).repeat(64);

function sumsFile(names: string[], extra = ""): string {
  const file = join(tempDir(), "SHA256SUMS");
  const lines = names.map((name, index) => `${digest(index)}  mcp-gateway-${name}\n`);
  writeFileSync(file, `${lines.join("")}${digest(8)}  mcp-gateway-windows-x64.exe\n${extra}`);
  return file;
}

function formula(args: string[]) {
  const result = Bun.spawnSync([BUN, join(ROOT, "scripts/formula.ts"), ...args], {
    env: { PATH: process.env.PATH!, GITHUB_REPOSITORY: "" },
  });
  return { code: result.exitCode, stderr: result.stderr.toString() };
}

/** Loads the formula under a stand-in for Homebrew's DSL and returns what it declared. */
const DSL = `
require "json"
class Formula
  @@spec = { "assets" => {} }
  @@context = []
  %w[desc homepage version license].each do |field|
    define_singleton_method(field) { |value| @@spec[field] = value }
  end
  { on_macos: "darwin", on_linux: "linux", on_arm: "arm64", on_intel: "x64" }.each do |name, part|
    define_singleton_method(name) { |&block| @@context.push(part); block.call; @@context.pop }
  end
  def self.asset
    @@spec["assets"][@@context.join("-")] ||= {}
  end
  def self.url(value)
    asset["url"] = value
  end
  def self.sha256(value)
    asset["sha256"] = value
  end
  def self.test(&block)
    @@spec["test"] = !block.nil?
  end
  def self.spec
    @@spec
  end
end
load ARGV[0]
puts JSON.generate(Formula.spec)
`;

describe("npm run formula", () => {
  const out = join(tempDir(), "mcp-gateway.rb");
  const sums = sumsFile(ASSETS);

  test("writes a formula with each platform's URL and checksum", () => {
    const result = formula(["--sums", sums, "--out", out, "--repo", "acme/gateway"]);
    expect(result.stderr).toContain(`wrote ${out}`);
    expect(result.code).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text).toContain("class McpGateway < Formula");
    expect(text).not.toContain("{{");
  });

  test.skipIf(!RUBY)("ruby -c accepts it", () => {
    const check = Bun.spawnSync([RUBY!, "-c", out]);
    expect(check.stdout.toString()).toContain("Syntax OK");
    expect(check.exitCode).toBe(0);
  });

  test.skipIf(!RUBY)("under Homebrew's DSL it declares the right asset for every platform", () => {
    const script = join(tempDir(), "dsl.rb");
    writeFileSync(script, DSL);
    const run = Bun.spawnSync([RUBY!, script, out]);
    expect(run.stderr.toString()).toBe("");
    const base = `https://github.com/acme/gateway/releases/download/v${pkg.version}`;
    const assets = Object.fromEntries(
      ASSETS.map((name, index) => [
        name,
        { url: `${base}/mcp-gateway-${name}`, sha256: digest(index) },
      ]),
    );
    expect(JSON.parse(run.stdout.toString())).toEqual({
      desc: expect.any(String),
      homepage: "https://github.com/acme/gateway",
      version: pkg.version,
      license: "MIT",
      assets,
      test: true,
    });
  });

  test("a release without a macOS checksum is refused, naming the missing asset", () => {
    const partial = sumsFile(["linux-x64", "linux-arm64", "darwin-arm64"]);
    const result = formula(["--sums", partial, "--out", join(tempDir(), "x.rb")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no checksum for mcp-gateway-darwin-x64");
    expect(result.stderr).toContain("npm run build:all");
  });

  test("a malformed SHA256SUMS line is reported with its line number", () => {
    const bad = sumsFile(ASSETS, "not a checksum line\n");
    const result = formula(["--sums", bad, "--out", join(tempDir(), "x.rb")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}:6: expected "<sha256>  <file name>"`);
  });

  test("a missing SHA256SUMS says to build first", () => {
    const result = formula(["--sums", join(tempDir(), "nope"), "--out", join(tempDir(), "x.rb")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not found; run npm run build:all first");
  });
});
