/**
 * Several gateways on one machine share a state folder (one `serve --stdio` per client, all
 * started at once when an editor opens): each must keep its usage, audit and tool cache in the
 * shared SQLite file. One that met the database locked by another's first write fell back to
 * memory, and what it recorded was lost when it exited.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, ROOT, tempDir } from "../helpers.ts";

setDefaultTimeout(120_000);

test("twelve gateways opening one new state folder at once all get the database", async () => {
  const script = join(tempDir(), "open.ts");
  writeFileSync(
    script,
    `import { openStateStore } from ${JSON.stringify(join(ROOT, "src/state/store.ts"))};\n` +
      "const store = await openStateStore(process.argv[2]);\nstore.close?.();\n",
  );
  const warnings: string[] = [];
  for (let round = 0; round < 4; round++) {
    const dir = tempDir();
    const opened = Array.from({ length: 12 }, () =>
      Bun.spawn([BUN, script, dir], { stdout: "ignore", stderr: "pipe" }),
    );
    for (const child of opened) {
      const text = await new Response(child.stderr).text();
      expect(await child.exited).toBe(0);
      if (text.includes("not usable")) warnings.push(text.trim());
    }
  }
  expect(warnings).toEqual([]);
});
