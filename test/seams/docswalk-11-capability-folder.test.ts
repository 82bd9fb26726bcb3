import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { logger } from "../../src/logger.ts";
import { tempDir, waitFor } from "../helpers.ts";

setDefaultTimeout(30_000);

// docs/capabilities.md's first example, `directories: [./capabilities]`, on a fresh machine where
// the folder does not exist yet: the gateway serves, polls for the folder and loads it when it
// appears. Its start logged that as an error ("capabilities directory does not exist") and, on
// the next line, as the warning that says it is fine.
test("a configured capabilities folder that does not exist yet is one warning at start, not an error", async () => {
  const dir = tempDir("mcpgw-capdir-");
  const file = join(dir, "gateway.yaml");
  writeFileSync(file, "capabilities:\n  builtin: false\n  directories: [./capabilities]\n");
  const lines: { type: string; text: string }[] = [];
  const level = logger.level;
  const reporters = logger.options.reporters;
  logger.level = 3;
  logger.setReporters([
    { log: (entry) => lines.push({ type: entry.type, text: entry.args.join(" ") }) },
  ]);
  // Tagged loggers copy the reporters when made: the gateway is started after the swap.
  const running = await runGateway({
    // Run from its folder (the repository's own capabilities/ is not the one it names).
    config: loadConfig({ path: file, cwd: dir }),
    port: 0,
    memoryState: true,
  });
  try {
    const folder = join(dir, "capabilities");
    await waitFor(() => lines.some((line) => line.text.includes(folder)));
    await waitFor(() => running.gateway.health().backends.capabilities?.state === "ready");
    const about = lines.filter((line) => line.text.includes(folder));
    expect(about.filter((line) => line.type === "error")).toEqual([]);
    expect(about).toEqual([
      { type: "warn", text: `${folder} does not exist; its capabilities load when it appears` },
    ]);
    // And it does load when it appears.
    mkdirSync(folder);
    writeFileSync(
      join(folder, "hello.yaml"),
      "name: hello_world\ndescription: Says hello.\nrest:\n  base_url: https://example.com\n  path: /hello\n",
    );
    await waitFor(() => running.gateway.health().backends.capabilities?.tools === 1, 15_000);
  } finally {
    logger.level = level;
    logger.setReporters(reporters);
    await running.stop();
  }
});
