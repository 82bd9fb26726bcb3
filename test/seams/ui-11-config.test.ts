import { afterAll, beforeAll, expect, test } from "bun:test";
import { BUN, FIXTURE_SERVER, startGateway } from "../helpers.ts";

// An admin opens the dashboard's Config tab (or a screen share shows it). The config in force
// has its ${VAR} references resolved, so a backend's env and headers hold the credentials
// themselves, under whatever names the backend wants: none may be shown, whatever the name.
const ADMIN = "mgw_admin-ui11-config-key-0123456789abcdefghijklmn";

let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  gateway = await startGateway(
    `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${ADMIN}", admin: true }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { SLACK_TEAM: "\${UI11_TEAM_SECRET}" }
  web:
    url: "http://127.0.0.1:9/api/mcp/s/\${UI11_URL_SECRET}/mcp"
    headers: { X-Workspace: "\${UI11_HEADER_SECRET}" }
`,
    {
      ...process.env,
      UI11_TEAM_SECRET: "T0-team-credential-4821",
      UI11_HEADER_SECRET: "hdr-credential-99317",
      // A secret URL (as Zapier's MCP URLs are): no secret-looking name, no token shape.
      UI11_URL_SECRET: "NjQ0ZTk3YzEtMmY0Yi00ZDk1LWI1ZjI",
    },
  );
});
afterAll(() => gateway.stop());

test("the Config view shows no value the file took from a variable, nor any env or header value", async () => {
  const response = await fetch(`${gateway.url}/api/config`, {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  const text = await response.text();
  expect(text).not.toContain("T0-team-credential-4821");
  expect(text).not.toContain("hdr-credential-99317");
  expect(text).not.toContain("NjQ0ZTk3YzEtMmY0Yi00ZDk1LWI1ZjI");
  const { config } = JSON.parse(text) as {
    config: { backends: Record<string, { env: object; headers: object; url?: string }> };
  };
  expect(config.backends.fx!.env).toEqual({ SLACK_TEAM: "<redacted>" });
  expect(config.backends.web!.headers).toEqual({ "X-Workspace": "<redacted>" });
  // A value the file took from a variable is shown as the reference it was written as.
  expect(config.backends.web!.url).toBe("http://127.0.0.1:9/api/mcp/s/${UI11_URL_SECRET}/mcp");
});
