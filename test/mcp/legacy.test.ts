/**
 * The quick answer for a plain 2025-era POST never disagrees with the SDK's `isLegacyRequest`:
 * where it says legacy the SDK does too, and everything else is left to the SDK.
 */
import { describe, expect, test } from "bun:test";
import { isLegacy, isLegacyRequest, plainLegacyRequest } from "../../src/mcp/sdk.ts";

const CLAIM = "io.modelcontextprotocol/protocolVersion";

function post(version?: string): Request {
  return new Request("http://127.0.0.1/mcp", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(version === undefined ? {} : { "mcp-protocol-version": version }),
    },
  });
}

const call = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "echo" } };

const CASES: [name: string, version: string | undefined, body: unknown][] = [
  ["a tools/call in a 2025-06-18 session", "2025-06-18", call],
  ["a tools/call in a 2025-11-25 session", "2025-11-25", call],
  ["a tools/call with no version header", undefined, call],
  ["initialize", undefined, { jsonrpc: "2.0", id: 0, method: "initialize", params: {} }],
  ["a progress token in _meta", "2025-06-18", { ...call, params: { _meta: { progressToken: 1 } } }],
  ["a request with no params", "2025-06-18", { jsonrpc: "2.0", id: "a", method: "ping" }],
  ["a modern header", "2026-07-28", call],
  ["a future header", "2027-01-01", call],
  ["a header with spaces", " 2025-06-18 ", call],
  ["an unknown old header", "2020-01-01", call],
  ["an envelope claim", undefined, { ...call, params: { _meta: { [CLAIM]: "2026-07-28" } } }],
  [
    "a legacy envelope claim",
    "2025-06-18",
    { ...call, params: { _meta: { [CLAIM]: "2025-06-18" } } },
  ],
  ["a malformed claim", undefined, { ...call, params: { _meta: { [CLAIM]: 5 } } }],
  ["a notification", "2025-06-18", { jsonrpc: "2.0", method: "notifications/initialized" }],
  ["a response", "2025-06-18", { jsonrpc: "2.0", id: 3, result: {} }],
  ["an error response", "2025-06-18", { jsonrpc: "2.0", id: 3, error: { code: 1, message: "x" } }],
  ["a batch", "2025-06-18", [call, { ...call, id: 8 }]],
  ["an empty batch", "2025-06-18", []],
  ["JSON-RPC 1.0", "2025-06-18", { ...call, jsonrpc: "1.0" }],
  ["an object as id", "2025-06-18", { ...call, id: {} }],
  ["params as a list", "2025-06-18", { ...call, params: [] }],
  ["a number as method", "2025-06-18", { ...call, method: 7 }],
  ["null", "2025-06-18", null],
  ["a number", "2025-06-18", 42],
  ["an empty object", "2025-06-18", {}],
];

describe("isLegacy agrees with the SDK's isLegacyRequest", () => {
  for (const [name, version, body] of CASES) {
    test(name, async () => {
      const sdk = await isLegacyRequest(post(version), body);
      expect(await isLegacy(post(version), body)).toBe(sdk);
      // The shortcut only ever says legacy where the SDK does.
      if (plainLegacyRequest(post(version), body)) expect(sdk).toBe(true);
    });
  }

  test("the shortcut answers the everyday calls, without the SDK's ladder", () => {
    for (const version of ["2025-06-18", "2025-11-25", undefined]) {
      expect(plainLegacyRequest(post(version), call)).toBe(true);
    }
  });

  test("GET and DELETE are left to the SDK", async () => {
    for (const method of ["GET", "DELETE"]) {
      const request = new Request("http://127.0.0.1/mcp", { method });
      expect(plainLegacyRequest(request, undefined)).toBe(false);
      expect(await isLegacy(request, undefined)).toBe(await isLegacyRequest(request, undefined));
    }
  });
});
