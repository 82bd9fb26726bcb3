import { describe, expect, test } from "bun:test";
import { stringify } from "yaml";
import { plainYaml } from "../../src/cli/_yaml.ts";

// Strings the library writes unquoted, quoted, or as another type when unquoted.
const STRINGS = [
  "-y",
  "<redacted>",
  "--api-key=<redacted>",
  "https://a.b/c?x=1&y=2",
  "a: b",
  "a:b",
  "a:",
  "a #b",
  "a#b",
  "#a",
  "",
  "true",
  "True",
  "null",
  "~",
  "1",
  "1.5",
  "0x1f",
  "1e3",
  ".inf",
  "1_000",
  "a b",
  "  a",
  "a ",
  "@x",
  "`x",
  "%x",
  "!x",
  "&x",
  "*x",
  "|x",
  ">x",
  "'x",
  '"x',
  "{x",
  "}x",
  "[x",
  "x]",
  "x,y",
  "?x",
  "? x",
  ":x",
  "- x",
  "-",
  "?",
  "a'b",
  'a"b',
  "${X}",
  "a\tb",
  "é",
  "0o7",
  "+1",
  "-1",
  "12:30",
  "2001-12-14",
  "yes",
  "NaN",
  "0.8",
  "08",
  ".5",
  "1.",
  "---",
  "--- x",
  "...",
  "a\nb",
  "30s",
  "127.0.0.1",
  "x\u0001",
  "a\\b",
  "%",
  "x ---",
  "@scope/pkg",
  "it's: here",
  `"quoted" 'both'`,
  " ",
  "a  b",
  "x".repeat(200),
  `@${"y ".repeat(100)}`,
];
const NUMBERS = [0, 1, -1, 0.25, 0.1 + 0.2, 1e21, -0, 1e-7, 67108864, Number.NaN, Infinity];

describe("plainYaml", () => {
  test("writes exactly what the yaml library writes, or leaves it to the library", () => {
    const values: unknown[] = [
      ...STRINGS.map((text) => ({ k: text, [text]: 1 })),
      ...NUMBERS.map((n) => ({ n, list: [n] })),
      { a: [{ b: 1, c: { d: [1, "x"], e: {} } }, [], {}], f: { g: [] }, h: [[1]] },
      { a: [{ b: 1, c: { d: [1, "x"], e: {} } }, {}, { f: [{ g: "h" }] }], i: { j: [] } },
      { n: null, t: true, f: false, list: [null, true, "s"], deep: { a: { b: { c: [] } } } },
      { m: [{ a: { b: [{ c: 1, d: [] }] }, e: "x" }], u: [undefined], o: { x: undefined } },
      {},
    ];
    let plain = 0;
    for (const value of values) {
      const ours = plainYaml(value);
      if (ours === undefined) continue;
      plain++;
      expect(ours).toBe(stringify(value, { lineWidth: 0 }));
    }
    expect(plain).toBeGreaterThan(60); // most of these are ours, not the library's
  });
});
