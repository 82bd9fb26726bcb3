/**
 * What the call guard writes for people and models to read: the firewall's notes on a result
 * (`firewall.results: annotate`), carried by what passes a result on inside another, and a
 * call's arguments as the confirmation question shows them.
 */
import type { JsonObject } from "../backends/types.ts";
import type { CallToolResult, Tool } from "../mcp/sdk.ts";
import { redactText } from "./redact.ts";

/** How the note `firewall.results: annotate` puts before a result starts. */
export const WARNING = "[FIREWALL_WARNING]";

/**
 * The firewall's notes in a result (`firewall.results: annotate`), and the result without them.
 * What passes a result on inside another one (a code-mode script's value, a chain's or a
 * playbook's steps, which read `structuredContent` first) must carry the notes itself: they were
 * dropped with the rest of `content`, and the model read the order without the warning.
 */
export function splitWarnings(result: CallToolResult): {
  warnings: string[];
  result: CallToolResult;
} {
  const content = Array.isArray(result.content) ? result.content : [];
  const isWarning = (block: CallToolResult["content"][number]) =>
    block.type === "text" && block.text.startsWith(WARNING);
  const warnings = content.flatMap((block) =>
    block.type === "text" && isWarning(block) ? [block.text] : [],
  );
  if (!warnings.length) return { warnings, result };
  return { warnings, result: { ...result, content: content.filter((b) => !isWarning(b)) } };
}

/** `result` with `warnings` (each once) as its first text blocks. */
export function withWarnings(result: CallToolResult, warnings: string[]): CallToolResult {
  if (!warnings.length) return result;
  const notes = [...new Set(warnings)].map((text) => ({ type: "text" as const, text }));
  return { ...result, content: [...notes, ...(result.content ?? [])] };
}

/** Characters of a call's arguments the confirmation question shows. */
const SHOWN_ARGUMENTS = 400;

/**
 * A call's arguments as the user is asked about them: the JSON, redacted, whole when it fits.
 * When it does not, the arguments the tool's schema declares come before any other, the shortest
 * first (an id, a repository, a path: what says which thing the call acts on), and the question
 * names the arguments it cut or left out.
 * Cut in the order given, a long first argument (written to pad, by a steered model) hid
 * `"repo":"production"` behind the cut from the user who approved.
 */
export function shownArguments(args: JsonObject, definition?: Tool): string {
  const whole = redactText(JSON.stringify(args));
  if (whole.length <= SHOWN_ARGUMENTS) return whole;
  const declared = definition?.inputSchema?.properties ?? {};
  const undeclared = (key: string) => (Object.hasOwn(declared, key) ? 0 : 1);
  const parts = Object.entries(args)
    .map(([key, value]) => ({
      key,
      text: redactText(`${JSON.stringify(key)}:${JSON.stringify(value) ?? "null"}`),
    }))
    .sort((a, b) => undeclared(a.key) - undeclared(b.key) || a.text.length - b.text.length);
  const shown: string[] = [];
  const cut: string[] = [];
  let room = SHOWN_ARGUMENTS - 2;
  for (const { key, text } of parts) {
    if (text.length + 1 <= room) {
      shown.push(text);
      room -= text.length + 1;
    } else {
      if (room > 20) {
        shown.push(`${text.slice(0, room - 2)}…`);
        room = 0;
      }
      cut.push(JSON.stringify(key));
    }
  }
  const names = cut.slice(0, 10).map((name) => (name.length > 40 ? `${name.slice(0, 39)}…` : name));
  const more = cut.length > 10 ? ` and ${cut.length - 10} more` : "";
  return `{${shown.join(",")}} (not shown in full: ${names.join(", ")}${more}; ${whole.length} characters in all)`;
}
