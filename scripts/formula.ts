#!/usr/bin/env bun
/**
 * Writes the Homebrew formula for a release from its checksums (`npm run formula`).
 *
 *   bun scripts/formula.ts [--sums dist/SHA256SUMS] [--out dist/mcp-gateway.rb] [--repo OWNER/NAME]
 *
 * The repository defaults to `$GITHUB_REPOSITORY` (set in GitHub Actions), then
 * `$MCP_GATEWAY_REPO`, then the project's own; the version is package.json's.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { assetName, TARGETS } from "./targets.ts";

/** Where the project lives on GitHub when nothing else says so (install.sh uses the same). */
export const DEFAULT_REPO = "mcp-gateway/mcp-gateway";

const root = join(import.meta.dir, "..");

/** Parses `sha256sum` output (`<64 hex>  <bare file name>` per line) into name -> digest. */
export function parseSums(text: string, file: string): Map<string, string> {
  const sums = new Map<string, string>();
  text.split("\n").forEach((line, index) => {
    if (!line.trim()) return;
    const match = /^([0-9a-f]{64}) [ *]([^/\\]+)$/.exec(line);
    if (!match) {
      throw new Error(`${file}:${index + 1}: expected "<sha256>  <file name>", got "${line}"`);
    }
    sums.set(match[2]!, match[1]!);
  });
  return sums;
}

/** Fills the formula template; every placeholder must be filled. */
export function renderFormula(
  template: string,
  options: { repo: string; version: string; sums: Map<string, string>; sumsFile: string },
): string {
  const base = `https://github.com/${options.repo}/releases/download/v${options.version}`;
  const text = template.replace(/\{\{([a-z0-9:-]+)\}\}/g, (_, key: string) => {
    if (key === "repo") return options.repo;
    if (key === "version") return options.version;
    if (key === "base") return base;
    if (key.startsWith("sha256:")) {
      const target = TARGETS.find((t) => t.name === key.slice("sha256:".length));
      const digest = target && options.sums.get(assetName(target));
      if (!digest) {
        throw new Error(
          `${options.sumsFile} has no checksum for mcp-gateway-${key.slice(7)}; run npm run build:all first`,
        );
      }
      return digest;
    }
    throw new Error(`formula template: unknown placeholder {{${key}}}`);
  });
  return text;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      sums: { type: "string", default: join(root, "dist", "SHA256SUMS") },
      out: { type: "string", default: join(root, "dist", "mcp-gateway.rb") },
      repo: { type: "string" },
    },
  });
  try {
    const sumsFile = resolve(values.sums);
    if (!existsSync(sumsFile)) {
      throw new Error(`${sumsFile} not found; run npm run build:all first`);
    }
    const repo =
      values.repo || process.env.GITHUB_REPOSITORY || process.env.MCP_GATEWAY_REPO || DEFAULT_REPO;
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
      throw new Error(`--repo must look like OWNER/NAME, got "${repo}"`);
    }
    const template = readFileSync(join(root, "packaging", "homebrew", "mcp-gateway.rb.in"), "utf8");
    const sums = parseSums(readFileSync(sumsFile, "utf8"), sumsFile);
    const formula = renderFormula(template, { repo, version: pkg.version, sums, sumsFile });
    writeFileSync(resolve(values.out), formula);
    console.error(`wrote ${resolve(values.out)} (${pkg.version}, ${repo})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
