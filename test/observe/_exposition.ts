import { expect } from "bun:test";

/** Every line of an exposition is a comment or `name{labels} value`, and families are declared. */
export function checkExposition(text: string): void {
  expect(text.endsWith("\n")).toBe(true);
  const declared = new Set<string>();
  for (const line of text.trimEnd().split("\n")) {
    const type = /^# TYPE ([a-zA-Z_:][\w:]*) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      declared.add(type[1]!);
      continue;
    }
    if (line.startsWith("# HELP ")) continue;
    const sample = /^([a-zA-Z_:][\w:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$/.exec(
      line,
    );
    expect(sample, `not a sample line: ${line}`).not.toBeNull();
    const family = sample![1]!.replace(/_(bucket|sum|count)$/, "");
    expect(declared.has(sample![1]!) || declared.has(family)).toBe(true);
    expect(Number.isNaN(Number(sample![3])) && sample![3] !== "NaN").toBe(false);
  }
}

/** The value of one sample, `name{labels}` written exactly as rendered; undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
