/**
 * `gateway.lock` rewritten (`lock update`, a dashboard approval) while another gateway or the
 * file watcher reads it: written in place, a reader could find it empty or half written and
 * refuse it. It is written to a temporary file renamed over it now; its mode and a link to it
 * are kept as they were.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, lstatSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { readLock, writeLock } from "../../src/security/pins.ts";
import { tempDir } from "../helpers.ts";

const lockWith = (tools: number) => ({
  version: 1 as const,
  backends: {
    big: Object.fromEntries(
      Array.from({ length: tools }, (_, i) => [`tool_${i}`, `sha256:${"a".repeat(64)}`]),
    ),
  },
  capabilities: {},
});

describe("gateway.lock written while read", () => {
  test("a reader in another process never finds it empty or half written", async () => {
    const dir = tempDir();
    const file = join(dir, "gateway.lock");
    writeLock(file, lockWith(2000));
    const reader = Bun.spawn(
      [
        process.execPath,
        "-e",
        `const { readFileSync } = require("node:fs");
         let bad = 0, reads = 0;
         const end = Date.now() + 1500;
         while (Date.now() < end) {
           const text = readFileSync(${JSON.stringify(file)}, "utf8");
           reads++;
           if (!text.trimEnd().endsWith("capabilities: {}")) bad++;
         }
         console.log(JSON.stringify({ bad, reads }));`,
      ],
      { stdout: "pipe" },
    );
    const until = Date.now() + 1500;
    for (let i = 0; Date.now() < until; i++) {
      writeLock(file, lockWith(2000 + (i % 2)));
      await Bun.sleep(1);
    }
    const { bad, reads } = JSON.parse(await new Response(reader.stdout).text());
    expect(reads).toBeGreaterThan(0);
    expect(bad).toBe(0);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  test("keeps an existing lock's mode, and writes through a link to its target", () => {
    const dir = tempDir();
    const target = join(dir, "shared.lock");
    writeLock(target, lockWith(1));
    chmodSync(target, 0o644);
    const link = join(dir, "gateway.lock");
    symlinkSync(target, link);
    writeLock(link, lockWith(3));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(Object.keys(readLock(target)?.backends.big ?? {})).toHaveLength(3);
  });
});
