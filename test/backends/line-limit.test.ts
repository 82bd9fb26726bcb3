import { describe, expect, test } from "bun:test";
import { classifyOversized, LineSplitter } from "../../src/backends/line-limit.ts";
import { parseSize } from "../../src/config/size.ts";

const big = "x".repeat(5000);

describe("what an oversized line was, from its two ends", () => {
  const cases: [string, string, ReturnType<typeof classifyOversized>][] = [
    [
      "TypeScript SDK answer (id last)",
      `{"result":{"text":"${big}"},"jsonrpc":"2.0","id":7}`,
      { id: 7 },
    ],
    [
      "Python SDK answer (id first)",
      `{"jsonrpc":"2.0","id":"a-1","result":{"t":"${big}"}}`,
      { id: "a-1" },
    ],
    ["error answer", `{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"${big}"}}`, { id: 3 }],
    [
      "notification",
      `{"method":"notifications/message","params":{"data":"${big}"},"jsonrpc":"2.0"}`,
      "message",
    ],
    [
      "request with id first",
      `{"jsonrpc":"2.0","id":4,"method":"sampling/createMessage","params":{"x":"${big}"}}`,
      "message",
    ],
    ["nested id only", `{"result":{"items":[{"id":9,"t":"${big}"}]},"jsonrpc":"2.0"}`, undefined],
    ["not JSON", big, undefined],
  ];
  for (const [name, line, want] of cases) {
    test(name, () => {
      const [result] = [...new LineSplitter(1000).push(Buffer.from(`${line}\n`))];
      expect(Buffer.isBuffer(result)).toBe(false);
      expect(classifyOversized(result as never)).toEqual(want);
    });
  }
});

test("lines within the limit pass whole, across chunks; a longer one is reported with its size", () => {
  const splitter = new LineSplitter(10);
  const out = [
    ...splitter.push(Buffer.from("0123456789\nabc")),
    ...splitter.push(Buffer.from("defghijklmnop\nq")),
    ...splitter.end(),
  ];
  expect(out[0]).toEqual(Buffer.from("0123456789\n"));
  expect(out[1]).toMatchObject({ bytes: 16, head: "abcdefghijklmnop" });
  expect(out[2]).toEqual(Buffer.from("q"));
});

test("sizes", () => {
  expect(parseSize("16MiB")).toBe(16 * 1024 * 1024);
  expect(parseSize("512 KiB")).toBe(512 * 1024);
  expect(parseSize("1GB")).toBe(1e9);
  expect(parseSize(2048)).toBe(2048);
  expect(parseSize("lots")).toBeUndefined();
  expect(parseSize(0)).toBeUndefined();
});
