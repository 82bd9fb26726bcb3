import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers.ts";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));

// `engines.node` is what `npm ci` needs: it must admit no Node.js that an installed package
// refuses (each refusal is an EBADENGINE warning), and the README must name the same version.
test("engines.node is no older than what every installed package declares, and the README says so", () => {
  const range: string = pkg.engines.node;
  const oldest = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range)?.[1];
  expect(oldest, `package.json engines.node "${range}" should be ">=X.Y.Z"`).toBeDefined();
  const refusing: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages) as [string, { engines?: unknown }][]) {
    const wanted = (entry.engines as { node?: unknown } | undefined)?.node;
    if (typeof wanted !== "string" || path === "") continue;
    if (!Bun.semver.satisfies(oldest!, wanted)) refusing.push(`${path} wants node ${wanted}`);
  }
  expect(refusing).toEqual([]);
  expect(lock.packages[""].engines.node).toBe(range);
  const [major, minor] = oldest!.split(".");
  expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(`Node.js ${major}.${minor}`);
});
