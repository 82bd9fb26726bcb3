import type { JsonObject } from "../../backends/types.ts";
import { toArgName } from "./names.ts";
import { cleanText, toJsonSchema } from "./schema.ts";

/** Headers the HTTP layer sets itself; OpenAPI says parameters by these names are ignored. */
const RESERVED_HEADERS = new Set(["accept", "content-type", "authorization"]);

/** One operation's input schema and request templates. */
export interface BuiltOperation {
  path: string;
  input: JsonObject;
  params: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  form: boolean;
  /** Raw descriptions, for the scan. */
  texts: string[];
}

/** Maps parameters and the request body into an input schema and request templates. */
export function buildOperation(
  path: string,
  item: JsonObject,
  operation: JsonObject,
  swagger2: boolean,
): BuiltOperation | string {
  const merged = new Map<string, JsonObject>();
  for (const param of [
    ...((item.parameters as JsonObject[]) ?? []),
    ...((operation.parameters as JsonObject[]) ?? []),
  ]) {
    merged.set(`${param.in}:${param.name}`, param);
  }
  const properties: JsonObject = {};
  const required: string[] = [];
  const params: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const texts: string[] = [];
  const argOf = new Map<string, string>();
  let templatePath = path;
  let bodySchema: JsonObject | undefined;
  let bodyRequired = false;
  let form = false;
  const formProperties: JsonObject = {};
  const formRequired: string[] = [];

  const addArg = (raw: string, schema: JsonObject, isRequired: boolean): string => {
    let arg = toArgName(raw);
    while (arg in properties) arg = `${arg}_`;
    properties[arg] = schema;
    if (isRequired) required.push(arg);
    return arg;
  };

  for (const param of merged.values()) {
    const where = String(param.in);
    const name = String(param.name);
    if (typeof param.description === "string") texts.push(param.description);
    if (where === "body") {
      bodySchema = param.schema as JsonObject;
      bodyRequired = param.required === true;
      continue;
    }
    const schema =
      swagger2 && where !== "body" ? swaggerParamSchema(param) : toJsonSchema(param.schema);
    if (typeof param.description === "string" && !schema.description) {
      schema.description = cleanText(param.description, 200);
    }
    if (where === "formData") {
      if (param.type === "file") return "file uploads are not supported";
      form = true;
      formProperties[name] = schema;
      if (param.required) formRequired.push(name);
      continue;
    }
    if (where === "cookie") {
      if (param.required)
        return `needs the cookie parameter ${name}, and cookies are not supported`;
      continue;
    }
    if (where === "header" && RESERVED_HEADERS.has(name.toLowerCase())) continue;
    if (where === "query") {
      const fields = objectFields(param, schema, swagger2);
      if (fields) {
        // `filter[status]=open` (deepObject) or `status=open` (form, exploded): one argument each.
        const needed = new Set(
          param.required === true ? ((schema.required as string[]) ?? []) : [],
        );
        for (const [field, fieldSchema] of Object.entries(fields)) {
          const deep = param.style === "deepObject";
          const arg = addArg(
            deep ? `${name}_${field}` : field,
            fieldSchema as JsonObject,
            needed.has(field),
          );
          params[deep ? `${name}[${field}]` : field] = `{${arg}}`;
        }
        continue;
      }
      const separator = arraySeparator(param, schema, swagger2);
      if (separator) {
        // Sent as one value (`ids=1,2,3`), which is what the caller writes.
        const shown = separator === "\t" ? "a tab" : `"${separator}"`;
        const items = (schema.items as JsonObject | undefined)?.type;
        const described = [
          schema.description,
          `Several ${items ? `${items} ` : ""}values separated by ${shown}.`,
        ].filter(Boolean);
        for (const key of Object.keys(schema)) delete schema[key];
        Object.assign(schema, { type: "string", description: described.join(" ") });
      }
    }
    const arg = addArg(name, schema, where === "path" || param.required === true);
    argOf.set(`${where}:${name}`, arg);
    if (where === "path") templatePath = templatePath.split(`{${name}}`).join(`{${arg}}`);
    else if (where === "query") params[name] = `{${arg}}`;
    else if (where === "header") headers[name] = `{${arg}}`;
  }
  const missingPathParam = /\{([^}]+)\}/.exec(
    templatePath.replace(/\{[A-Za-z0-9_][A-Za-z0-9_.-]*\}/g, ""),
  );
  if (missingPathParam) return `path parameter {${missingPathParam[1]}} is not declared`;
  for (const [, raw] of path.matchAll(/\{([^}]+)\}/g)) {
    if (!merged.has(`path:${raw}`)) return `path parameter {${raw}} is not declared`;
  }

  if (!swagger2 && operation.requestBody) {
    const requestBody = operation.requestBody as JsonObject;
    const content = (requestBody.content ?? {}) as Record<string, JsonObject>;
    const types = Object.keys(content);
    const json = types.find((type) => /^application\/([\w.+-]+\+)?json\b/i.test(type));
    const urlencoded = types.find((type) => /^application\/x-www-form-urlencoded\b/i.test(type));
    const chosen = json ?? urlencoded;
    if (!chosen && types.length) {
      return `request body type ${types.join(", ")} is not supported (only JSON and form bodies)`;
    }
    if (chosen) {
      bodySchema = (content[chosen]!.schema ?? {}) as JsonObject;
      bodyRequired = requestBody.required === true;
      form = chosen === urlencoded && !json;
    }
    if (typeof requestBody.description === "string") texts.push(requestBody.description);
  }
  if (form && swagger2) {
    bodySchema = { type: "object", properties: formProperties, required: formRequired };
    bodyRequired = true;
  }

  let body: unknown;
  if (bodySchema) {
    collectDescriptions(bodySchema, texts, new Set());
    const schema = toJsonSchema(bodySchema, { request: true });
    const bodyProperties = schema.properties as JsonObject | undefined;
    const clash =
      !bodyProperties ||
      Object.keys(bodyProperties).some(
        (name) => toArgName(name) in properties || toArgName(name) !== name,
      );
    if (
      schema.type === "object" &&
      bodyProperties &&
      Object.keys(bodyProperties).length &&
      !clash
    ) {
      const template: JsonObject = {};
      const bodyNeeded = new Set(bodyRequired ? ((schema.required as string[]) ?? []) : []);
      for (const [name, property] of Object.entries(bodyProperties)) {
        template[name] = `{${addArg(name, property as JsonObject, bodyNeeded.has(name))}}`;
      }
      body = template;
    } else {
      body = `{${addArg("body", schema, bodyRequired)}}`;
    }
  }

  return {
    path: templatePath,
    input: {
      type: "object",
      properties,
      ...(required.length ? { required } : {}),
    },
    params,
    headers,
    body,
    form,
    texts,
  };
}

/**
 * A query array the API reads as one value: Swagger 2.0's `collectionFormat` (csv by default;
 * `multi` repeats the parameter), OpenAPI's `explode: false` and the delimited styles. The
 * separator, or undefined when the array is sent as repeated parameters.
 */
function arraySeparator(
  param: JsonObject,
  schema: JsonObject,
  swagger2: boolean,
): string | undefined {
  if (schema.type !== "array") return undefined;
  if (swagger2) {
    const format = String(param.collectionFormat ?? "csv");
    return { csv: ",", ssv: " ", tsv: "\t", pipes: "|" }[format];
  }
  const style = String(param.style ?? "form");
  if (param.explode !== false && (style === "form" || param.explode === true)) return undefined;
  return { form: ",", spaceDelimited: " ", pipeDelimited: "|" }[style];
}

/**
 * An object query parameter sent field by field (OpenAPI 3 `deepObject`, or `form` exploded,
 * the default): its fields, or undefined when it is sent otherwise.
 */
function objectFields(
  param: JsonObject,
  schema: JsonObject,
  swagger2: boolean,
): JsonObject | undefined {
  if (swagger2 || schema.type !== "object") return undefined;
  const fields = schema.properties as JsonObject | undefined;
  if (!fields || !Object.keys(fields).length) return undefined;
  const style = String(param.style ?? "form");
  if (style === "deepObject" || (style === "form" && param.explode !== false)) return fields;
  return undefined;
}

/** Swagger 2.0 non-body parameters carry their schema inline. */
function swaggerParamSchema(param: JsonObject): JsonObject {
  const {
    name: _n,
    in: _i,
    required: _r,
    description: _d,
    collectionFormat: _c,
    allowEmptyValue: _a,
    ...rest
  } = param;
  return toJsonSchema(rest);
}

function collectDescriptions(node: unknown, into: string[], seen: Set<unknown>): void {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === "description" && typeof value === "string") into.push(value);
    else collectDescriptions(value, into, seen);
  }
}
