import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadBuiltinCapabilities } from "../../src/capabilities/catalog.ts";
import { executeCapability } from "../../src/capabilities/execute.ts";
import type { Capability } from "../../src/capabilities/resolve.ts";
import { pointAt, startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import { firstText } from "../helpers.ts";

/**
 * A caller (a model that read a poisoned page, say) passes `..` as a path argument, so the
 * capability's request lands on another endpoint of the same API with the same credential:
 * github_issue with owner and repo `..` would read GET /issues (every issue of the token's user),
 * github_file_contents with path `../../../../user/emails` the user's e-mail addresses.
 */
let api: Upstream;
const builtins = loadBuiltinCapabilities().flatMap((r) => (r.ok ? [r.capability] : []));
const named = (name: string) =>
  pointAt(builtins.find((c) => c.name === name) as Capability, api.origin);

beforeAll(() => {
  api = startUpstream((_request, url) => Response.json({ path: url.pathname }));
});
afterAll(() => api?.stop());

async function call(name: string, args: Record<string, unknown>) {
  const before = api.requests.length;
  const result = await executeCapability(named(name), args, {
    env: { GITHUB_TOKEN: "ghp_secret" },
    allowPrivateNetworks: true,
  });
  return { result, sent: api.requests.slice(before).map((r) => r.path) };
}

describe("a path argument cannot climb out of the capability's endpoint", () => {
  test("`..` as a whole argument ({arg}) is refused before anything is sent", async () => {
    const { result, sent } = await call("github_issue", { owner: "..", repo: "..", number: 1 });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toStartWith("[INVALID_ARGUMENTS]");
    expect(firstText(result)).toContain('"." or ".."');
    expect(sent).toEqual([]);
  });

  test("`..` segments inside a {+path} argument are refused", async () => {
    for (const path of ["../../../../user/emails", "docs/../../../../../user", "./x/."]) {
      const { result, sent } = await call("github_file_contents", { owner: "o", repo: "r", path });
      expect(`${path}: ${firstText(result).slice(0, 19)}`).toBe(`${path}: [INVALID_ARGUMENTS]`);
      expect(sent).toEqual([]);
    }
  });

  test("names with dots that are not dot segments still work", async () => {
    const { result, sent } = await call("github_file_contents", {
      owner: "o",
      repo: "my.repo",
      path: ".github/workflows/ci.yml",
    });
    expect(result.isError ?? false).toBe(false);
    expect(sent).toEqual(["/repos/o/my.repo/contents/.github/workflows/ci.yml"]);
    const encoded = await call("github_repo", { owner: "%2e%2e", repo: "..." });
    expect(encoded.sent).toEqual(["/repos/%252e%252e/..."]);
  });
});
