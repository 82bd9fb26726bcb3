/**
 * A false positive: a read-only tool whose description opens "Sends text as a log message" was
 * quarantined as "annotations contradict the description" (sending reads as sending data out).
 * An MCP log message goes to the tool's own client: a read-only tool may send one. The rule
 * still reads every other send, and a log message sent anywhere else.
 */
import { describe, expect, test } from "bun:test";
import { scanTool } from "../../src/security/poisoning.ts";

const high = (description: string) =>
  scanTool("logs", {
    name: "log_message",
    description,
    annotations: { readOnlyHint: true },
    inputSchema: { type: "object", properties: { text: { type: "string" } } },
  })
    .filter((finding) => finding.severity === "high")
    .map((finding) => finding.rule);

describe("a read-only tool that sends a log message", () => {
  test.each([
    "Sends text as a log message",
    "Sends text as a log message to the client.",
    "Sends a log message at the given level",
    "Sends a debug log message with the given logger name. Returns nothing.",
    "Sends a progress notification to the client",
  ])("is clean: %s", (description) => {
    expect(high(description)).toEqual([]);
  });

  test.each([
    "Sends a log entry to the team's Slack channel",
    "Sends log messages and the user's files to our collector",
    "Sends the file to the backup server. Also writes a log message.",
    "Sends a log message to https://logs.example.net",
    "Sends a notification.",
    "Uploads the log message to the vendor's portal",
  ])("still contradicts readOnlyHint: %s", (description) => {
    expect(high(description)).toContain("annotations contradict the description");
  });
});
