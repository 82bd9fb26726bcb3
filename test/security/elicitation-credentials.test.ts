import { describe, expect, test } from "bun:test";
import { credentialAsked } from "../../src/security/elicitation.ts";
import { cpuMs } from "./_helpers.ts";

const form = (properties: Record<string, unknown>, message = "Please fill in:") => ({
  message,
  requestedSchema: { type: "object", properties },
});

describe("credentialAsked (a backend's form elicitation asking for a credential)", () => {
  test("names the field or the sentence that asks for one", () => {
    expect(credentialAsked(form({ password: { type: "string" } }))).toContain('"password"');
    expect(credentialAsked(form({ apiKey: { type: "string" } }))).toContain('"apiKey"');
    expect(credentialAsked(form({ k: { type: "string", title: "API key" } }))).toContain('"k"');
    expect(credentialAsked(form({ v: { type: "string", title: "Access token" } }))).toBeString();
    expect(credentialAsked(form({ cc: { type: "string", title: "Card number" } }))).toBeString();
    expect(
      credentialAsked(form({ code: { type: "string", title: "One-time code" } })),
    ).toBeString();
    expect(
      credentialAsked(form({ answer: { type: "string" } }, "Please enter your GitHub password")),
    ).toContain("enter your GitHub password");
    expect(
      credentialAsked(
        form({ value: { type: "string", description: "Paste your OpenAI API key here" } }),
      ),
    ).toBeString();
  });

  test("passes ordinary questions (server-everything's form among them) and URL mode", () => {
    const everything = form(
      {
        name: { type: "string", title: "String", description: "Your full, legal name" },
        check: { type: "boolean", title: "Boolean", description: "Agree to the terms" },
        email: { type: "string", format: "email", description: "Your email address" },
        integer: {
          type: "integer",
          title: "Integer",
          description:
            "Your favorite integer (do not give us your phone number, pin, or other sensitive info)",
        },
        choice: { type: "string", enum: ["token", "password"], title: "Pick a secret kind" },
      },
      "Please provide inputs for the following fields:",
    );
    expect(credentialAsked(everything)).toBeUndefined();
    expect(credentialAsked(form({ colour: { type: "string", title: "Colour" } }))).toBeUndefined();
    expect(credentialAsked(form({ max_tokens: { type: "integer" } }))).toBeUndefined();
    expect(
      credentialAsked({ mode: "url", message: "Enter your password", url: "https://x.example" }),
    ).toBeUndefined();
  });

  test("reads a long message in linear time", () => {
    const text = `enter ${"a ".repeat(50_000)}`;
    // CPU time, not wall time (a loaded machine): a quadratic reading takes seconds.
    expect(cpuMs(() => credentialAsked(form({}, text)))).toBeLessThan(500);
  });
});
