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
    url: "http://127.0.0.1:9/mcp"
    headers: { X-Workspace: "\${UI11_HEADER_SECRET}" }
`,
    {
      ...process.env,
      UI11_TEAM_SECRET: "T0-team-credential-4821",
      UI11_HEADER_SECRET: "hdr-credential-99317",
    },
  );
});
afterAll(() => gateway.stop());

test("the Config view names a backend's env and headers but shows none of their values", async () => {
  const response = await fetch(`${gateway.url}/api/config`, {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  const text = await response.text();
  expect(text).not.toContain("T0-team-credential-4821");
  expect(text).not.toContain("hdr-credential-99317");
  const { config } = JSON.parse(text) as {
    config: { backends: Record<string, { env: object; headers: object }> };
  };
  expect(config.backends.fx!.env).toEqual({ SLACK_TEAM: "<redacted>" });
  expect(config.backends.web!.headers).toEqual({ "X-Workspace": "<redacted>" });
});
