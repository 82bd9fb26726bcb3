import { isDeepStrictEqual } from "node:util";
import { parseTOML } from "confbox";
import { applyEdits, type FormattingOptions, modify, parse as parseJsonc } from "jsonc-parser";
import { Document, isMap, isSeq, parseDocument, parse as parseYaml } from "yaml";
import { GatewayError } from "../errors.ts";
import { CLIENTS, type ClientFile, formatOf, GATEWAY_ENTRY, serversPathOf } from "./clients.ts";
import { namedListToMap } from "./discover.ts";

/**
 * Points one client file at the gateway: removes the entries at `removals` (key paths such as
 * `["mcpServers", "github"]`) and sets the gateway's entry, changing no other byte it can avoid.
 * The result is parsed back and compared with the intended tree; any other difference aborts.
 */
export function rewriteClientText(
  file: ClientFile,
  text: string,
  removals: string[][],
  gatewayEntry: Record<string, unknown>,
  entryName = GATEWAY_ENTRY,
): string {
  const client = CLIENTS[file.client];
  const format = formatOf(file);
  const source = text.trim() ? text : format === "toml" ? "" : "{}\n";
  const parse = (input: string) =>
    format === "toml"
      ? (parseTOML(input) as Record<string, unknown>)
      : format === "yaml"
        ? namedListToMap(parseYaml(input), client.serversKey, file.path)
        : (parseJsonc(input, [], { allowTrailingComma: true }) as Record<string, unknown>);
  const serversPath = serversPathOf(file);
  const expected = structuredClone(parse(source) ?? {});
  for (const path of removals) deletePath(expected, path);
  const unsafe = () =>
    new GatewayError(
      "CONFIG_INVALID",
      `${file.path}: cannot be rewritten safely (its ${serversPath.join(".")} are not laid out the usual way); point it at the gateway by hand`,
    );
  let servers = expected;
  for (const key of serversPath) {
    const next = servers[key] ?? {};
    if (typeof next !== "object") throw unsafe();
    servers[key] = next;
    servers = next as Record<string, unknown>;
  }
  servers[entryName] = gatewayEntry;

  const out =
    format === "toml"
      ? rewriteToml(source, client.serversKey, removals, gatewayEntry, entryName)
      : format === "yaml"
        ? rewriteYaml(source, client.serversKey, removals, gatewayEntry, entryName)
        : rewriteJson(source, serversPath, removals, gatewayEntry, entryName);
  if (!sameTree(() => parse(out), expected)) throw unsafe();
  return out;
}

const plain = (tree: unknown): unknown => JSON.parse(JSON.stringify(tree ?? {}));

/** Whether the rewritten text parses to `expected` (compared as JSON: TOML tables lack a prototype). */
function sameTree(parse: () => unknown, expected: unknown): boolean {
  try {
    return isDeepStrictEqual(plain(parse()), plain(expected));
  } catch {
    return false;
  }
}

function deletePath(tree: Record<string, unknown>, path: string[]): void {
  let node: unknown = tree;
  for (const key of path.slice(0, -1)) {
    if (!node || typeof node !== "object") return;
    node = (node as Record<string, unknown>)[key];
  }
  if (node && typeof node === "object") delete (node as Record<string, unknown>)[path.at(-1)!];
}

function rewriteJson(
  text: string,
  serversPath: string[],
  removals: string[][],
  entry: Record<string, unknown>,
  entryName: string,
): string {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? "  ";
  const formattingOptions: FormattingOptions = {
    insertSpaces: !indent.startsWith("\t"),
    tabSize: indent.startsWith("\t") ? 1 : indent.length,
    eol: text.includes("\r\n") ? "\r\n" : "\n",
  };
  let out = text;
  for (const path of removals) {
    out = applyEdits(out, modify(out, path, undefined, { formattingOptions }));
  }
  out = applyEdits(out, modify(out, [...serversPath, entryName], entry, { formattingOptions }));
  // Removing the entry before a trailing comma leaves that comma alone on a line; join it to
  // the line above, unless that would change what the file means (a comment there, say).
  const tidy = out.replace(/\r?\n[ \t]*,(?=\r?\n)/g, ",");
  const parse = (input: string) => parseJsonc(input, [], { allowTrailingComma: true });
  return tidy !== out && sameTree(() => parse(tidy), parse(out)) ? tidy : out;
}

/** Continue's `mcpServers:` list: drops the named items and appends the gateway's, comments kept. */
function rewriteYaml(
  text: string,
  serversKey: string,
  removals: string[][],
  entry: Record<string, unknown>,
  entryName: string,
): string {
  const names = new Set([...removals.map((path) => path.at(-1)!), entryName]);
  const doc: Document = text.trim() ? parseDocument(text) : new Document({});
  let list = doc.get(serversKey, true);
  if (list === undefined || list === null) {
    doc.set(serversKey, doc.createNode([]));
    list = doc.get(serversKey, true);
  }
  if (!isSeq(list)) return text; // the caller's check reports the file as unsafe to rewrite
  list.items = list.items.filter((item) => !(isMap(item) && names.has(String(item.get("name")))));
  list.items.push(doc.createNode({ name: entryName, ...entry }));
  return doc.toString();
}

/** `[mcp_servers.NAME]` and `[mcp_servers.NAME.env]` headers, NAME bare or quoted. */
const TABLE =
  /^\s*\[\s*([A-Za-z0-9_-]+)\s*\.\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.[^\]]*)?\]\s*(?:#.*)?$/;

function rewriteToml(
  text: string,
  serversKey: string,
  removals: string[][],
  entry: Record<string, unknown>,
  entryName: string,
): string {
  const names = new Set([...removals.map((path) => path.at(-1)!), entryName]);
  const lines = text.split(/(?<=\n)/);
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    if (/^\s*\[/.test(line)) {
      const match = TABLE.exec(line.replace(/\r?\n$/, ""));
      const name = match?.[2] ? unquote(match[2]) : undefined;
      dropping = match?.[1] === serversKey && name !== undefined && names.has(name);
    }
    if (!dropping) kept.push(line);
  }
  // Blank lines left where a dropped table was are trimmed, so rewriting again changes nothing.
  let out = kept.join("").replace(/(\r?\n)(?:[ \t]*\r?\n)+$/, "$1");
  if (out && !out.endsWith("\n")) out += "\n";
  if (out.trim()) out += "\n";
  out += `[${serversKey}.${tomlKey(entryName)}]\n`;
  for (const [key, value] of Object.entries(entry))
    out += `${tomlKey(key)} = ${tomlValue(value)}\n`;
  return out;
}

function unquote(key: string): string {
  if (key.startsWith('"')) return JSON.parse(key) as string;
  if (key.startsWith("'")) return key.slice(1, -1);
  return key;
}

const tomlKey = (key: string) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key));

function tomlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(", ")}]`;
  if (value && typeof value === "object") {
    const pairs = Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`);
    return pairs.length ? `{ ${pairs.join(", ")} }` : "{}";
  }
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}
