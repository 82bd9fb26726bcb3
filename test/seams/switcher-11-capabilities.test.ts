import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ConnectedClient, connectHttp, firstText, startGateway, tempDir } from "../helpers.ts";

// Starts a gateway: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * Arguments in a URL path, in the original gateway's capability files: it substitutes them
 * unescaped, so its wayback_save (`path: /save/{url}`) sends the page's URL with its slashes.
 * Here `url`/`path`-named arguments keep their slashes in those files (`?`, `#` and `.`/`..`
 * segments still cannot change the endpoint); every other argument stays one segment.
 */
const seen: string[] = [];
const api = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const url = new URL(request.url);
    seen.push(`${request.method} ${url.pathname}${url.search}`);
    return Response.json({ ok: true });
  },
});

function original(name: string, path: string, properties: string): string {
  return [
    'fulcrum: "1.0"',
    `name: ${name}`,
    `description: The ${name} stand-in.`,
    "schema:",
    `  input: {type: object, properties: {${properties}}}`,
    "providers:",
    "  primary:",
    "    service: rest",
    "    config:",
    `      base_url: http://127.0.0.1:${api.port}`,
    `      path: ${path}`,
    "      method: POST",
    "",
  ].join("\n");
}

let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;
beforeAll(async () => {
  const dir = tempDir("mcpgw-sw11-cap-");
  const files = {
    wayback_save: original("wayback_save", "/save/{url}", "url: {type: string}"),
    repo_file: original(
      "repo_file",
      "/repos/{owner}/{repo}/contents/{path}",
      "owner: {type: string}, repo: {type: string}, path: {type: string}",
    ),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.yaml`), text);
  gateway = await startGateway(
    `capabilities: { builtin: false, allow_private_networks: true, directories: ["${dir}"] }\n`,
  );
  session = await connectHttp(gateway.url);
});
afterAll(async () => {
  await session?.close();
  await gateway?.stop();
  api.stop(true);
});

async function invoke(tool: string, args: Record<string, unknown>) {
  seen.length = 0;
  return session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "gateway", tool, arguments: args },
  });
}

describe("a url or path argument in the original's capability files", () => {
  test("keeps its slashes in the path, as the original sends it (wayback_save)", async () => {
    const result = await invoke("wayback_save", { url: "https://arxiv.org/abs/2401.00001" });
    expect(result.isError, firstText(result)).toBeFalsy();
    expect(seen).toEqual(["POST /save/https://arxiv.org/abs/2401.00001"]);
  });

  test("a query or fragment in it stays in the path; spaces are %20, as the original's", async () => {
    const result = await invoke("wayback_save", { url: "https://x.org/a b?id=1#top" });
    expect(result.isError, firstText(result)).toBeFalsy();
    expect(seen).toEqual(["POST /save/https://x.org/a%20b%3Fid=1%23top"]);
  });

  test("a file path keeps its slashes; owner and repo stay one segment each", async () => {
    const result = await invoke("repo_file", { owner: "acme", repo: "a/b", path: "src/main.rs" });
    expect(result.isError, firstText(result)).toBeFalsy();
    expect(seen).toEqual(["POST /repos/acme/a%2Fb/contents/src/main.rs"]);
  });

  test("a . or .. segment is refused: it would change the endpoint the key is sent to", async () => {
    const result = await invoke("repo_file", {
      owner: "acme",
      repo: "web",
      path: "docs/./x",
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toContain('may not be "." or ".."');
    expect(seen).toEqual([]);
  });
});
