import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCapability } from "../../src/capabilities/load.ts";
import { BUN, ROOT, spawnOutput, tempDir } from "../helpers.ts";

// Spawns the CLI: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * The original's own catalog ships capabilities/communication/gmail_send_email.yaml, whose body
 * sends `{base64_encoded_email}`, an argument its schema does not have: the original loads it (and
 * sends the placeholder as written). Here the file was refused, so `cap validate` of the
 * original's catalog failed (1 of 125) and every start logged an ERROR for a file the user never
 * wrote. A file in the original's format (`fulcrum:`) with such a placeholder now loads as one
 * that cannot run (hidden, as its `service: cli` files are), saying why; a file in this gateway's
 * own format is still refused, so an author's typo is caught.
 */
const SEND = (fulcrum: boolean) => `${fulcrum ? 'fulcrum: "1.0"\n' : ""}name: mail_send
description: Send an email through a mail API.
schema:
  input:
    type: object
    required: [to, body]
    properties:
      to: { type: string }
      body: { type: string }
providers:
  primary:
    service: rest
    config:
      base_url: https://mail.example.com
      path: /send
      method: POST
      body:
        raw: "{base64_encoded_email}"
`;

describe("an original capability whose template names an argument its schema lacks", () => {
  test("loads as one that cannot run, naming the placeholder", () => {
    const result = parseCapability(SEND(true), "mail_send.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.capability.unavailable).toContain("{base64_encoded_email}");
    expect(result.capability.unavailable).toContain("schema.input");
  });

  test("cap validate passes it with a note; this gateway's own format is still refused", async () => {
    const dir = tempDir("mcpgw-sw12-cap-");
    const file = join(dir, "mail_send.yaml");
    writeFileSync(file, SEND(true));
    const env = { ...process.env, XDG_STATE_HOME: tempDir() };
    const cli = [BUN, join(ROOT, "src/main.ts"), "cap", "validate", file];
    const original = await spawnOutput(cli, { env });
    expect(original.code).toBe(0);
    expect(original.stdout + original.stderr).toContain("{base64_encoded_email}");
    writeFileSync(file, SEND(false));
    const own = await spawnOutput(cli, { env });
    expect(own.code).toBe(1);
    expect(own.stdout + own.stderr).toContain(
      "{base64_encoded_email} is not a property of schema.input",
    );
  });
});
