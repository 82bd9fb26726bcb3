import { extname } from "node:path";
import { applyEdits, modify, type ParseError, parse as parseJsonc } from "jsonc-parser";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { GatewayError } from "../errors.ts";

/**
 * Adds `entry` to `security.trusted_tools` in a config's text, keeping its comments and layout
 * (YAML through the document model, JSON and JSONC through text edits). Returns undefined when
 * the list already holds it. TOML is refused: there is no comment-keeping editor for it.
 */
export function addTrustedTool(text: string, file: string, entry: string): string | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === ".toml") {
    throw new GatewayError(
      "CONFIG_INVALID",
      `${file}: TOML configs cannot be edited here; add "${entry}" to security.trusted_tools by hand`,
    );
  }
  if (ext === ".json" || ext === ".jsonc" || ext === ".json5") return addToJson(text, file, entry);
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new GatewayError(
      "CONFIG_INVALID",
      `${file}: cannot parse: ${doc.errors[0]!.message.split("\n")[0]}`,
    );
  }
  const list = doc.getIn(["security", "trusted_tools"], true);
  if (isSeq(list)) {
    if (list.items.some((item) => isScalar(item) && item.value === entry)) return undefined;
    list.add(doc.createNode(entry));
    return doc.toString({ lineWidth: 0 });
  }
  const section = doc.get("security", true);
  if (section !== undefined && !isMap(section) && !(isScalar(section) && section.value === null)) {
    throw new GatewayError("CONFIG_INVALID", `${file}: security: expected a mapping`);
  }
  if (isMap(section)) section.setIn(["trusted_tools"], doc.createNode([entry], { flow: true }));
  else doc.set("security", doc.createNode({ trusted_tools: [entry] }, { flow: false }));
  return doc.toString({ lineWidth: 0 });
}

function addToJson(text: string, file: string, entry: string): string | undefined {
  const errors: ParseError[] = [];
  const tree = (parseJsonc(text || "{}", errors) ?? {}) as {
    security?: { trusted_tools?: unknown };
  };
  if (errors.length) throw new GatewayError("CONFIG_INVALID", `${file}: cannot parse as JSON`);
  const current = tree.security?.trusted_tools;
  const list = Array.isArray(current) ? current : [];
  if (list.includes(entry)) return undefined;
  const source = text.trim() ? text : "{}\n";
  const edits = modify(source, ["security", "trusted_tools"], [...list, entry], {
    formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" },
  });
  return applyEdits(source, edits);
}
