import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, connectStdio, FIXTURE_SERVER, tempDir } from "../helpers.ts";

// Spawns the gateway over stdio: slow on a loaded machine.
setDefaultTimeout(60_000);

describe("serve --stdio with a config whose keys live only in the HTTP service's environment", () => {
  test("starts and serves, as the original does (stdio never reads auth's keys)", async () => {
    // One gateway.yaml for the team's HTTP gateway (its keys in the service's EnvironmentFile)
    // and for the desktop client that starts the gateway itself over stdio without them.
    const dir = tempDir();
    const file = join(dir, "gateway.yaml");
    writeFileSync(
      file,
      [
        "auth:",
        "  enabled: true",
        '  bearer_token: "env:SWITCHER_ADMIN_TOKEN"',
        "  api_keys:",
        '    - {key: "env:SWITCHER_FRONTEND_KEY", name: "Frontend App", backends: [fixture]}',
        "capabilities: { enabled: false }",
        "backends:",
        "  fixture:",
        `    command: "${BUN} ${FIXTURE_SERVER}"`,
        "",
      ].join("\n"),
    );
    expect(process.env.SWITCHER_ADMIN_TOKEN).toBeUndefined();
    const session = await connectStdio(file);
    try {
      const called = await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "echo", arguments: { message: "over stdio" } },
      });
      expect(called.isError).toBeFalsy();
      expect(JSON.stringify(called.content)).toContain("over stdio");
    } finally {
      await session.close();
    }
  });
});
