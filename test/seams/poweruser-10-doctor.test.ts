import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../cli/_run.ts";
import { cleanupsAfterAll, connectHttp, firstText, startGateway, tempDir } from "../helpers.ts";

const cleanups = cleanupsAfterAll();

/** Two Node servers that die at start, as most npx servers do: a build not made, a key unset. */
function brokenNodeServers(): string {
  const dir = tempDir("poweruser-node-");
  writeFileSync(
    join(dir, "github.mjs"),
    [
      "function connect() {",
      '  if (!process.env.GITHUB_TOKEN) throw new Error("GITHUB_TOKEN is not set");',
      "}",
      "connect();",
    ].join("\n"),
  );
  return [
    "capabilities: { enabled: false }",
    "backends:",
    `  built: { command: node, args: ["${join(dir, "dist/index.js")}"] }`,
    `  github: { command: node, args: ["${join(dir, "github.mjs")}"] }`,
    "",
  ].join("\n");
}

describe("a Node server that crashes at start (its stack, then `Node.js v20…`, on stderr)", () => {
  test("doctor names the error line, not the last lines of the stack", () => {
    const dir = tempDir("poweruser-doctor-");
    const config = join(dir, "gateway.yaml");
    writeFileSync(config, brokenNodeServers());
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir };
    const run = runCli(["doctor", "--config", config, "--json"], { env });
    const checks = JSON.parse(run.stdout).checks as { name: string; message: string }[];
    const message = (name: string) => checks.find((c) => c.name === `backend:${name}`)?.message;
    expect(message("built")).toContain("Cannot find module");
    expect(message("built")).toContain(join("dist", "index.js"));
    expect(message("github")).toContain("Error: GITHUB_TOKEN is not set");
  }, 30_000);

  test("the call's error and gateway_list_servers say it too", async () => {
    const gateway = await startGateway(brokenNodeServers());
    cleanups.push(() => gateway.stop());
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const invoke = (server: string) =>
      session.client.callTool({
        name: "gateway_invoke",
        arguments: { server, tool: "search_repositories" },
      });
    const call = await invoke("github");
    expect(call.isError).toBe(true);
    expect(firstText(call)).toContain("GITHUB_TOKEN is not set");
    expect(firstText(await invoke("built"))).toContain("Cannot find module");
    const listed = await session.client.callTool({ name: "gateway_list_servers", arguments: {} });
    const servers = (listed.structuredContent as { servers: { name: string; error?: string }[] })
      .servers;
    expect(servers.find((s) => s.name === "github")?.error).toContain("GITHUB_TOKEN is not set");
    expect(servers.find((s) => s.name === "built")?.error).toContain("Cannot find module");
  }, 30_000);
});
