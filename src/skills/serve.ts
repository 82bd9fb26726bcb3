import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { type Prompt, ProtocolError, ProtocolErrorCode, type Resource } from "../mcp/sdk.ts";
import { trimDescription } from "../search/compact.ts";
import { ToolIndex } from "../search/index.ts";
import { readInside } from "./files.ts";
import { asTool, type SkillRegistry } from "./registry.ts";
import { SKILLS_SERVER } from "./scan.ts";
import { SKILL_FILE, type Skill } from "./store.ts";

/** `skill://NAME` is a skill's SKILL.md; `skill://NAME/<path>` its other files. */
export const SKILL_SCHEME = "skill://";
/** A skill's prompt is `skill_NAME`. */
export const SKILL_PROMPT_PREFIX = "skill_";
/** Where a skill's body takes the prompt's one argument (Claude Code's placeholder). */
const ARGUMENTS = "$ARGUMENTS";

/**
 * The skills this gateway serves (none when `skills.enabled` is off or the process set none).
 * A caller sees a skill when its scopes and routing profile allow `skills:NAME`, the tool grammar
 * with `skills` as the server: `backends: [skills]` grants them all, `denied_tools: ["skills:x"]`
 * hides one.
 */
export function skillsFor(gateway: Gateway): SkillRegistry | undefined {
  return gateway.config.skills.enabled ? gateway.operator.skills : undefined;
}

const visibleTo = (caller: Caller) => (name: string) => caller.allows(SKILLS_SERVER, name);

/** Whether this caller could see any skill (for list_changed notifications). */
export function reachesSkills(gateway: Gateway, caller: Caller): boolean {
  return skillsFor(gateway) !== undefined && caller.allows(SKILLS_SERVER, "*");
}

export const skillUri = (name: string, path?: string) =>
  `${SKILL_SCHEME}${name}${path && path !== SKILL_FILE ? `/${path.split("/").map(encodeURIComponent).join("/")}` : ""}`;

/** Every file of every skill this caller sees, as resources: SKILL.md as `skill://NAME`. */
export function skillResources(gateway: Gateway, caller: Caller): Resource[] {
  const registry = skillsFor(gateway);
  if (!registry) return [];
  return registry.served(visibleTo(caller)).flatMap((skill) =>
    skill.files.map((file) =>
      file.path === SKILL_FILE
        ? {
            uri: skillUri(skill.name),
            name: skill.name,
            title: `Skill ${skill.name}`,
            description: skill.description,
            mimeType: file.mimeType,
            size: file.size,
          }
        : {
            uri: skillUri(skill.name, file.path),
            name: `${skill.name}/${file.path}`,
            mimeType: file.mimeType,
            size: file.size,
          },
    ),
  );
}

/** Whether the skill a `skill://` URI names is one this caller may see (its file may be gone). */
export function skillUriVisible(gateway: Gateway, caller: Caller, uri: string): boolean {
  const name = uri.slice(SKILL_SCHEME.length).split("/")[0] ?? "";
  return skillsFor(gateway)?.get(name, visibleTo(caller)) !== undefined;
}

/**
 * Reads `skill://NAME[/path]`. The path must be one of the files the skill listed (never joined
 * from the request), and is read without following links; anything else is "not found".
 */
export function readSkillResource(gateway: Gateway, caller: Caller, uri: string) {
  const notFound = () => new ProtocolError(-32002, `Resource not found: ${uri}`, { uri });
  const rest = uri.slice(SKILL_SCHEME.length);
  const slash = rest.indexOf("/");
  const name = slash === -1 ? rest : rest.slice(0, slash);
  const skill = skillsFor(gateway)?.get(name, visibleTo(caller));
  if (!skill) throw notFound();
  let path = SKILL_FILE;
  if (slash !== -1) {
    try {
      path = rest
        .slice(slash + 1)
        .split("/")
        .map((part) => decodeURIComponent(part))
        .join("/");
    } catch {
      throw notFound();
    }
  }
  const file = skill.files.find((f) => f.path === path);
  if (!file) throw notFound();
  let bytes: Uint8Array;
  try {
    bytes = readInside(skill.dir, file.path);
  } catch {
    throw notFound();
  }
  const content = file.text
    ? { uri, mimeType: file.mimeType, text: new TextDecoder().decode(bytes) }
    : { uri, mimeType: file.mimeType, blob: Buffer.from(bytes).toString("base64") };
  return { contents: [content] };
}

/** Skill entries per page of `resources/list` and `prompts/list`. */
export const SKILL_PAGE_SIZE = 100;
const SKILL_CURSOR = "skills:";

/**
 * One page of a list that starts with skills: skill entries in pages of their own (cursor
 * `skills:N`), the last of them followed by the first page of `rest`, whose cursors take over.
 */
export async function skillPages<T>(
  skills: T[],
  cursor: string | undefined,
  rest: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>,
): Promise<{ items: T[]; nextCursor?: string }> {
  if (cursor && !cursor.startsWith(SKILL_CURSOR)) return rest(cursor);
  const offset = cursor ? Number(cursor.slice(SKILL_CURSOR.length)) : 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, "Invalid cursor");
  }
  const end = offset + SKILL_PAGE_SIZE;
  const page = skills.slice(offset, end);
  if (end < skills.length) return { items: page, nextCursor: `${SKILL_CURSOR}${end}` };
  const first = await rest(undefined);
  return {
    items: [...page, ...first.items],
    ...(first.nextCursor ? { nextCursor: first.nextCursor } : {}),
  };
}

/** Each skill this caller sees as a prompt `skill_NAME`, described by its frontmatter. */
export function skillPrompts(gateway: Gateway, caller: Caller): Prompt[] {
  const registry = skillsFor(gateway);
  if (!registry) return [];
  return registry.served(visibleTo(caller)).map((skill) => ({
    name: `${SKILL_PROMPT_PREFIX}${skill.name}`,
    title: `Skill ${skill.name}`,
    description: skill.description,
    ...(skill.body.includes(ARGUMENTS)
      ? {
          arguments: [
            { name: "arguments", description: `Replaces ${ARGUMENTS} in the skill's text` },
          ],
        }
      : {}),
  }));
}

/**
 * The prompt of a skill: its SKILL.md body as one user message. Undefined when `name` is not a
 * skill this caller sees, so a backend's prompt of that name still answers.
 */
export function getSkillPrompt(
  gateway: Gateway,
  caller: Caller,
  name: string,
  args: Record<string, string> | undefined,
) {
  if (!name.startsWith(SKILL_PROMPT_PREFIX)) return undefined;
  const skill = skillsFor(gateway)?.get(name.slice(SKILL_PROMPT_PREFIX.length), visibleTo(caller));
  if (!skill) return undefined;
  const text = skill.body.replaceAll(ARGUMENTS, args?.arguments ?? "");
  return {
    description: skill.description,
    messages: [{ role: "user" as const, content: { type: "text" as const, text } }],
  };
}

interface JointIndex {
  index: ToolIndex;
  registry: SkillRegistry;
  /** The registry's version whose skills the index holds. */
  version: number;
  /** The servers whose tools it holds. */
  servers: Set<string>;
}
interface JointState {
  /** Servers whose tools changed since the joint index last followed. */
  changed: Set<string>;
  joint?: JointIndex;
}
const joints = new WeakMap<Gateway, JointState>();

/**
 * The gateway's tools and the skills in one index, so that a skill's score is measured against
 * the same collection as the tools it is ranked with (a word rare among 17 skills is common among
 * 1,000 tools). Follows what changed at the first search after: the servers that re-listed or
 * left and the skills, each re-indexed alone (built again whole, a search after any change took
 * seconds at 10,000 tools while every other request waited).
 */
function jointIndex(gateway: Gateway, registry: SkillRegistry): ToolIndex {
  let state = joints.get(gateway);
  if (!state) {
    const fresh: JointState = { changed: new Set() };
    gateway.hooks.hook("tools:changed", (server) => {
      fresh.changed.add(server);
    });
    // What each scope sees may change with the tools unchanged (as `ToolIndex.rescope` says).
    const rescope = () => fresh.joint?.index.rescope();
    gateway.hooks.hook("config:reload", rescope);
    gateway.hooks.hook("tools:quarantine", rescope);
    joints.set(gateway, fresh);
    state = fresh;
  }
  let joint = state.joint;
  if (joint?.registry !== registry) {
    const index = new ToolIndex((server, tool) =>
      server === SKILLS_SERVER ? registry.hints(tool.name) : undefined,
    );
    joint = { index, registry, version: -1, servers: new Set() };
    state.joint = joint;
    state.changed = new Set(gateway.pool.names());
  }
  const names = new Set(gateway.pool.names());
  for (const server of joint.servers) if (!names.has(server)) state.changed.add(server);
  for (const server of state.changed) {
    if (names.has(server)) {
      joint.index.upsert(server, gateway.index.tools(server));
      joint.servers.add(server);
    } else {
      joint.index.remove(server);
      joint.servers.delete(server);
    }
  }
  state.changed.clear();
  if (joint.version !== registry.version) {
    joint.index.upsert(SKILLS_SERVER, registry.served().map(asTool));
    joint.version = registry.version;
  }
  return joint.index;
}

/** Skills matching a search, ranked against the tools, as `gateway_search_tools` matches. */
export function skillMatches(gateway: Gateway, caller: Caller, query: string, limit: number) {
  const registry = skillsFor(gateway);
  if (!registry) return [];
  const visible = visibleTo(caller);
  const hits = jointIndex(gateway, registry).search(query, {
    limit,
    server: SKILLS_SERVER,
    // Measured against the tools this caller sees, as its tool matches are (a view of this index
    // holding its skills alone would weigh a word rare among them as rare among the tools).
    allow: (server, name) =>
      server === SKILLS_SERVER
        ? registry.get(name, visible) !== undefined
        : gateway.router.visible(server, name, caller),
    scope: caller.scope?.(),
  });
  return hits
    .map((hit) => ({ skill: registry.get(hit.tool.name)!, score: hit.score }))
    .map(({ skill, score }) => ({
      server: SKILLS_SERVER,
      tool: skill.name,
      kind: "skill" as const,
      // Trimmed as tool descriptions are (search/compact.ts): the whole text is one read away.
      description: `${trimDescription(skill.description)} (a skill, not a tool: read it with resources/read ${skillUri(skill.name)} or prompts/get ${SKILL_PROMPT_PREFIX}${skill.name})`,
      uri: skillUri(skill.name),
      prompt: `${SKILL_PROMPT_PREFIX}${skill.name}`,
      score: Math.round(score * 1000) / 1000,
    }));
}

export type { Skill };
