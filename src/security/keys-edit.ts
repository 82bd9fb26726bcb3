import { extname } from "node:path";
import { applyEdits, modify, type ParseError, parse as parseJsonc } from "jsonc-parser";
import { isMap, isSeq, parseDocument, type YAMLSeq } from "yaml";
import { GatewayError } from "../errors.ts";

/** One `auth.api_keys` entry as `keys create` writes it. */
export interface KeyEntry {
  name: string;
  key: string;
  admin?: boolean;
  description?: string;
  allowed_tools?: string[];
  denied_tools?: string[];
  rate_limit?: number;
}

/**
 * Adds or removes `auth.api_keys` entries in a config's text, keeping its comments and layout
 * (the `yaml` document model for YAML, jsonc-parser edits for JSON). Pure text in, text out.
 */
export function addKeyEntry(text: string, file: string, entry: KeyEntry): string {
  if (isJson(file)) {
    return jsonEdit(text, ["auth", "api_keys"], [...jsonKeys(text, file), entry]);
  }
  const doc = parseYaml(text, file);
  const list = doc.getIn(["auth", "api_keys"], true);
  const node = doc.createNode(entry);
  for (const pair of (node as { items: { key: unknown; value: unknown }[] }).items) {
    if (isSeq(pair.value)) (pair.value as YAMLSeq).flow = true;
  }
  if (isSeq(list)) {
    if (list.flow) list.flow = false;
    list.add(node);
  } else {
    const auth = doc.get("auth", true);
    if (auth !== undefined && auth !== null && !isMap(auth)) {
      throw new GatewayError("CONFIG_INVALID", `${file}: auth: expected a mapping`);
    }
    if (isMap(auth) && auth.flow) auth.flow = false;
    doc.setIn(["auth", "api_keys"], doc.createNode([]));
    (doc.getIn(["auth", "api_keys"], true) as YAMLSeq).add(node);
  }
  return doc.toString({ lineWidth: 0 });
}

/** Removes the key named `name`; undefined when there is none. */
export function removeKeyEntry(text: string, file: string, name: string): string | undefined {
  if (isJson(file)) {
    const keys = jsonKeys(text, file);
    const kept = keys.filter((key) => key.name !== name);
    return kept.length === keys.length ? undefined : jsonEdit(text, ["auth", "api_keys"], kept);
  }
  const doc = parseYaml(text, file);
  const list = doc.getIn(["auth", "api_keys"], true);
  if (!isSeq(list)) return undefined;
  const index = list.items.findIndex((item) => isMap(item) && item.get("name") === name);
  if (index === -1) return undefined;
  list.delete(index);
  return doc.toString({ lineWidth: 0 });
}

function isJson(file: string): boolean {
  const ext = extname(file).toLowerCase();
  if (ext === ".toml") {
    throw new GatewayError(
      "CONFIG_INVALID",
      `${file}: TOML configs cannot be edited by this command; add the key under auth.api_keys by hand`,
    );
  }
  return ext === ".json" || ext === ".jsonc" || ext === ".json5";
}

function parseYaml(text: string, file: string) {
  const doc = parseDocument(text.trim() ? text : "{}\n");
  if (doc.errors.length) {
    throw new GatewayError(
      "CONFIG_INVALID",
      `${file}: cannot parse: ${doc.errors[0]!.message.split("\n")[0]}`,
    );
  }
  if (doc.contents && !isMap(doc.contents)) {
    throw new GatewayError("CONFIG_INVALID", `${file}: expected a mapping at the top level`);
  }
  return doc;
}

function jsonKeys(text: string, file: string): KeyEntry[] {
  const errors: ParseError[] = [];
  const tree = parseJsonc(text.trim() ? text : "{}", errors, { allowTrailingComma: true });
  if (errors.length) throw new GatewayError("CONFIG_INVALID", `${file}: cannot parse as JSON`);
  const keys = (tree as { auth?: { api_keys?: unknown } } | null)?.auth?.api_keys;
  return Array.isArray(keys) ? (keys as KeyEntry[]) : [];
}

function jsonEdit(text: string, path: string[], value: unknown): string {
  const source = text.trim() ? text : "{}\n";
  const edits = modify(source, path, value, {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" },
  });
  return applyEdits(source, edits);
}
