import { describe, expect, test } from "bun:test";
import { extractSecrets, isSecret, redactTree, VariableNamer } from "../../src/setup/secrets.ts";

describe("secrets", () => {
  test.each([
    ["GITHUB_TOKEN", "abc", true],
    ["API_KEY", "x1y2z3", true],
    ["DB_PASSWORD", "hunter2", true],
    ["Authorization", "Bearer xyz12345", true],
    ["ANYTHING", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", true],
    ["ANYTHING", "xoxb-1234567890-abcdefghij", true],
    ["ANYTHING", "AKIAABCDEFGHIJKLMNOP", true],
    // Shapes redaction always knew, shared with setup since both read one table.
    ["ANYTHING", "npm_abcdefghijklmnopqrstuvwxyz0123456789", true],
    ["ANYTHING", "https://hooks.slack.com/services/T000/B000/XXXXXXXX", true],
    ["DATABASE_URL", "postgres://u:pw@host/db", true],
    ["GITHUB_TOKEN", "${GITHUB_TOKEN}", false],
    ["AUTH", "Bearer ${TOKEN}", false],
    ["AUTH_ENABLED", "true", false],
    ["TOKEN_LIMIT", "4000", false],
    ["AUTHOR", "Jane", false],
    ["LOG_LEVEL", "debug", false],
    ["AUTH_URL", "https://auth.example.com/login", false],
    ["DATABASE_URL", "postgres://localhost/db", false],
  ])("isSecret(%p, %p) is %p", (key, value, expected) => {
    expect(isSecret(key, value)).toBe(expected);
  });

  test("extractSecrets moves env, header, flag, argument and URL credentials to variables", () => {
    const namer = new VariableNamer();
    const { entry, moved } = extractSecrets(
      "my-api",
      {
        command: "node",
        args: [
          "s.js",
          "--api-key=k-123456789",
          "--password",
          "pw-98765",
          "postgresql://u:pw1@h/db",
          "--verbose",
        ],
        env: { API_TOKEN: "tok-1", LOG_LEVEL: "info", "bad-name.key": "zzz-secret" },
        url: "https://u:p%40ss@x.example/mcp?access_token=qq-123456&page=2",
        headers: { Authorization: "Bearer abcdef", "x-api-key": "hk-1", Accept: "json" },
      },
      namer,
    );
    expect(entry.args).toEqual([
      "s.js",
      "--api-key=${MY_API_API_KEY}",
      "--password",
      "${MY_API_PASSWORD}",
      "${MY_API_URL}",
      "--verbose",
    ]);
    expect(entry.env).toEqual({
      API_TOKEN: "${API_TOKEN}",
      LOG_LEVEL: "info",
      "bad-name.key": "${MY_API_BAD_NAME_KEY}",
    });
    expect(entry.headers).toEqual({
      Authorization: "Bearer ${MY_API_TOKEN}",
      "x-api-key": "${MY_API_X_API_KEY}",
      Accept: "json",
    });
    expect(entry.url).toBe(
      "https://u:${MY_API_PASSWORD_2}@x.example/mcp?access_token=${MY_API_ACCESS_TOKEN}&page=2",
    );
    const values = Object.fromEntries(moved.map((m) => [m.variable, m.value]));
    expect(values).toEqual({
      MY_API_API_KEY: "k-123456789",
      MY_API_PASSWORD: "pw-98765",
      MY_API_URL: "postgresql://u:pw1@h/db",
      API_TOKEN: "tok-1",
      MY_API_BAD_NAME_KEY: "zzz-secret",
      MY_API_TOKEN: "abcdef",
      MY_API_X_API_KEY: "hk-1",
      MY_API_PASSWORD_2: "p@ss",
      MY_API_ACCESS_TOKEN: "qq-123456",
    });
    expect(moved.find((m) => m.variable === "MY_API_TOKEN")!.where).toBe(
      "backends.my-api.headers.Authorization",
    );
  });

  test("one value shares its variable; a different value under the same name gets the backend's prefix", () => {
    const namer = new VariableNamer();
    const a = extractSecrets("a", { command: "x", env: { TOKEN: "one" } }, namer);
    const b = extractSecrets("b", { command: "x", env: { TOKEN: "one" } }, namer);
    const c = extractSecrets("c", { command: "x", env: { TOKEN: "two" } }, namer);
    expect([a.entry.env, b.entry.env, c.entry.env]).toEqual([
      { TOKEN: "${TOKEN}" },
      { TOKEN: "${TOKEN}" },
      { TOKEN: "${C_TOKEN}" },
    ]);
  });

  test("redactTree hides credentials anywhere in a config tree and keeps the rest", () => {
    const tree = {
      auth: {
        api_keys: [
          { key: "plain-key-1", name: "ci" },
          { key: "sha256:abcd", name: "hashed" },
        ],
      },
      backends: {
        a: {
          args: ["--token", "t-123456", "--port", "8080", "--secret=s-1"],
          env: { PASSWORD: "pw", DEBUG: "1" },
          headers: { Authorization: "Basic dXNlcjpwYXNz", "Proxy-Authorization": "x" },
          url: "https://me:pw@h.example/mcp?key=1&api_key=zz",
          description: "uses ghp_abcdefghijklmnopqrstuvwxyz0123456789 inside",
        },
      },
    };
    expect(redactTree(tree)).toEqual({
      auth: {
        api_keys: [
          { key: "<redacted>", name: "ci" },
          { key: "sha256:abcd", name: "hashed" },
        ],
      },
      backends: {
        a: {
          args: ["--token", "<redacted>", "--port", "8080", "--secret=<redacted>"],
          env: { PASSWORD: "<redacted>", DEBUG: "1" },
          headers: { Authorization: "Basic <redacted>", "Proxy-Authorization": "<redacted>" },
          url: "https://me:<redacted>@h.example/mcp?key=1&api_key=<redacted>",
          description: "uses <redacted> inside",
        },
      },
    });
  });
});
