import type { JsonObject } from "../backends/types.ts";

/**
 * Words that name a credential in a form field's name or title, each as written or joined
 * (`api_key`, `apiKey`, `API key` are all `api key`). MCP forbids asking for these in a form
 * (2025-11-25, elicitation: "Servers MUST NOT use form mode elicitation to request sensitive
 * information"): passwords, API keys, access tokens, payment credentials; one-time codes too,
 * the other half of a login.
 */
const CREDENTIAL_WORDS = new Set([
  "password",
  "passwd",
  "passphrase",
  "passcode",
  "pwd",
  "secret",
  "token",
  "apikey",
  "otp",
  "totp",
  "2fa",
  "mfa",
  "cvv",
  "cvc",
]);
const CREDENTIAL_PAIRS = new Set([
  "api key",
  "access key",
  "secret key",
  "private key",
  "client secret",
  "card number",
  "credit card",
  "security code",
  "one time",
]);

/** The same words in a sentence that asks for one: "enter your GitHub password". */
const ASKS_FOR =
  /\b(?:enter|type|provide|paste|confirm|re-?enter|input|submit|share)\b[^.?!\n]{0,40}?\b(?:password|passphrase|passcode|api[ _-]?key|access[ _-]?(?:key|token)|secret[ _-]?key|private[ _-]?key|client[ _-]?secret|(?:credit[ _-]?)?card[ _-]?number|cvv|one[ _-]?time[ _-]?(?:code|password)|2fa[ _-]?code|mfa[ _-]?code)\b/i;

/** `apiKey`, `api_key`, `API-Key` -> ["api", "key"]. */
function words(text: string): string[] {
  return text
    .slice(0, 200)
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function namesCredential(text: string): boolean {
  const all = words(text);
  return all.some(
    (word, i) =>
      CREDENTIAL_WORDS.has(word) || (i > 0 && CREDENTIAL_PAIRS.has(`${all[i - 1]} ${word}`)),
  );
}

/**
 * What a backend's form-mode `elicitation/create` asks the user for that is a credential (a
 * field's name or title, or the message or a field's description asking for one), if anything;
 * undefined for an ordinary question and for URL mode, where the user enters it at the service.
 */
export function credentialAsked(params: JsonObject | undefined): string | undefined {
  if (!params || (params.mode !== undefined && params.mode !== "form")) return undefined;
  const message = typeof params.message === "string" ? params.message.slice(0, 4000) : "";
  const asked = ASKS_FOR.exec(message);
  if (asked) return `the message asks "${asked[0]}"`;
  const schema = params.requestedSchema as { properties?: unknown } | undefined;
  const properties = schema?.properties;
  if (!properties || typeof properties !== "object") return undefined;
  for (const [name, value] of Object.entries(properties as Record<string, unknown>).slice(0, 100)) {
    const field = (value ?? {}) as { type?: unknown; title?: unknown; description?: unknown };
    // A yes/no or a choice among given values cannot carry a secret the user types.
    if (field.type === "boolean" || "enum" in field || "oneOf" in field || "items" in field) {
      continue;
    }
    const title = typeof field.title === "string" ? field.title : "";
    if (namesCredential(name) || namesCredential(title)) return `the field "${name}"`;
    const description = typeof field.description === "string" ? field.description : "";
    const said = ASKS_FOR.exec(description.slice(0, 1000));
    if (said) return `the field "${name}" asks "${said[0]}"`;
  }
  return undefined;
}
