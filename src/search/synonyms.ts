import { toTerm } from "./tokenize.ts";

/**
 * Words that mean the same thing in requests for software tools. General English comes from the
 * lexicon; this table holds what it lacks: verbs of CRUD and control, and the nouns of code
 * hosting, chat, payments, browsers, monitoring and data stores ("chargeback" → "dispute").
 * Each group is symmetric; a query word also matches the others in its group, at a discount.
 */
const GROUPS = [
  // actions
  "find search lookup query look locate discover seek",
  "create add new make insert generate register open provision spin setup",
  // "write a doc", "write a project update": writing something new creates it.
  "create write",
  "delete remove drop destroy erase purge trash discard clear forget",
  "get read fetch retrieve show view display see check inspect obtain list",
  "list enumerate browse",
  "update edit modify change patch alter set adjust rename",
  "write save store put persist record",
  "run execute invoke call trigger perform",
  "start begin launch boot spawn",
  "stop halt terminate kill end abort quit shutdown",
  "cancel revoke withdraw",
  "undo revert rollback reset restore",
  "mute silence snooze quiet",
  "close resolve complete finish done",
  "navigate go visit browse goto",
  "click press tap",
  "type fill enter input",
  "upload attach",
  "download export",
  "download fetch get retrieve",
  "import ingest load",
  "copy duplicate clone fork",
  "move rename relocate transfer",
  "assign delegate allocate",
  "approve accept",
  "review feedback",
  "send post share publish",
  "reply respond answer",
  "summarize summary digest",
  "scrape crawl extract harvest",
  "visualize plot chart graph diagram",
  "remember memorize memory recall knowledge",
  "think reason reflect ponder",
  "schedule book plan",
  "deploy release ship rollout publish",
  "validate verify check lint",
  "test evaluate",
  "monitor watch observe track",
  "subscribe follow",
  "count total number tally sum",
  "size big large length bytes",
  "resize bump increase upgrade grow scale",
  // things
  "file document doc",
  "folder directory dir",
  "message msg dm chat",
  "channel room conversation",
  "issue ticket bug defect",
  "task todo chore",
  "story ticket card",
  "repository repo codebase",
  "pr pull merge mr",
  "comment note remark",
  "user member person people account profile",
  "team group organization org",
  "email mail inbox",
  "image picture photo screenshot snapshot capture",
  "page webpage site website url",
  "link url href",
  "customer client buyer",
  "payment charge transaction",
  "invoice bill billing charge charged",
  "refund reimbursement",
  "subscription plan recurring membership",
  "dispute chargeback",
  "price pricing cost",
  "product item sku",
  "coupon discount promo",
  "calendar agenda",
  "event meeting appointment",
  "error exception crash failure problem",
  "log logs logging",
  "metric metrics stat statistics measurement",
  "alert alarm notification incident",
  "pipeline build workflow ci",
  "job run",
  "database db",
  "postgres postgresql pg psql",
  "table collection",
  "row record entry",
  "column field attribute property",
  "sql query",
  "tag label",
  "status state",
  "priority severity urgency",
  "due deadline",
  "container pod",
  "secret credential token password key",
  "config configuration setting settings preference option",
  "location place address",
  "direction route",
  "web internet online",
  "entity node",
  "relation relationship edge connection",
  "star favorite bookmark",
  "recent latest newest lately",
  "now current active present",
  "history log past",
  "activity happen happening feed timeline",
  "sprint iteration cycle",
  "milestone goal",
  "board kanban",
  "permission access role",
  "flag feature toggle",
  "snippet code",
  "console terminal shell",
  "process program",
  "server host machine",
  "window tab",
  "element selector",
  "network request traffic",
  "performance speed latency",
  "version release",
  "workspace project",
];

/**
 * What a separable phrasal verb may hold inside: "turn *it* off", "push *the call* back". It is
 * captured, and stays in the query when the phrase leaves.
 */
const OBJECT = String.raw`((?:(?:it|them|this|that) |(?:the|my|our|your|this|that) [\w-]+ )?)`;
const phrase = (source: string) => new RegExp(source.replaceAll("OBJECT", OBJECT), "gi");
/**
 * Phrasal verbs, whose words alone say something else: "keep me posted" is neither keeping nor
 * posting but subscribing, "hand it over" transfers. A matched phrase leaves the query and stands
 * for the words paired with it (one query word, each at WEIGHTS.phrase, 0.8). Ambiguous ones are
 * left out: "log in" is as often "the log in production", "move it to" a card as a meeting.
 */
const PHRASES: [RegExp, string][] = [
  [
    phrase(
      String.raw`\bkeep (?:me|us) (?:posted|updated|informed)\b|\bnotify (?:me|us)\b|\blet (?:me|us) know (?:when|whenever|if)\b`,
    ),
    "subscribe watch notify",
  ],
  [phrase(String.raw`\btake OBJECTback\b|\bback out\b`), "revoke undo withdraw"],
  [phrase(String.raw`\bhand ((?:\S+ ){0,3}?)(?:over|off)\b`), "transfer assign"],
  [phrase(String.raw`\bcoming up\b|\bup next\b`), "upcoming next"],
  [phrase(String.raw`\b(?:shut|turn|switch) OBJECT(?:down|off)\b`), "stop disable"],
  [phrase(String.raw`\b(?:turn|switch) (?:it |them )?on\b`), "enable start"],
  [phrase(String.raw`\bclean up\b|\btear down\b|\bget rid of\b`), "delete remove"],
  [phrase(String.raw`\bspin up\b`), "create launch"],
  [phrase(String.raw`\bsign (?:me )?up\b`), "register signup"],
  [phrase(String.raw`\bsign (?:me )?in\b|\blog me in\b`), "login authenticate"],
  [phrase(String.raw`\bsign (?:me )?out\b|\blog me out\b`), "logout"],
  [phrase(String.raw`\blook up\b|\blook for\b|\bdig up\b`), "search find"],
  [phrase(String.raw`\bpush OBJECTback\b|\bput off\b`), "reschedule postpone"],
  [phrase(String.raw`\bsign off on\b|\bgive (?:it )?the go-ahead\b`), "approve"],
  [phrase(String.raw`\bfill (?:in|out)\b`), "fill"],
];

/**
 * The phrasal verbs in a text: the text without them, and per phrase the words it stands for.
 */
export function phrasalVerbs(text: string): { rest: string; meanings: string[][] } {
  const meanings: string[][] = [];
  let rest = text;
  for (const [pattern, words] of PHRASES) {
    // The captured object, where the phrase has one (without, the first argument is the offset).
    const without = rest.replace(
      pattern,
      (_, inside) => ` ${typeof inside === "string" ? inside : ""} `,
    );
    if (without === rest) continue;
    rest = without;
    meanings.push(words.split(" "));
  }
  return { rest, meanings };
}

/**
 * Kinds of action. Two verbs of one kind do not contradict each other the way "start" and
 * "cancel" do: "start a forum thread" fits `create_forum_post`, "run a command" `start_process`.
 * Broader than the synonym groups, so used only to judge a tool's verb, never to match words.
 */
const ACTIONS = [
  "create add new make insert generate register open provision spin setup start begin launch " +
    "write post compose draft submit init",
  "delete remove drop destroy erase purge trash discard clear forget cancel stop kill terminate " +
    "end abort close archive revoke halt quit shutdown",
  "update edit modify change patch alter set adjust rename move replace",
  "run execute invoke call trigger perform start launch",
].map((kind) => new Set(kind.split(" ").map(toTerm)));

/** True when two verbs (index terms) are of one kind of action. */
export function sameAction(one: string, other: string): boolean {
  return ACTIONS.some((kind) => kind.has(one) && kind.has(other));
}

/** Abbreviations of tool-land, read as the words they stand for ("PR" → "pull request"). */
const ABBREVIATIONS: Record<string, string> = {
  pr: "pull request",
  prs: "pull requests",
  mr: "merge request",
  mrs: "merge requests",
  k8s: "kubernetes",
  db: "database",
  dbs: "databases",
  repo: "repository",
  repos: "repositories",
  dm: "direct message",
  dms: "direct messages",
  msg: "message",
  env: "environment",
  js: "javascript",
  ts: "typescript",
  img: "image",
  pic: "picture",
  dir: "directory",
  cwd: "working directory",
  vm: "virtual machine",
  ui: "user interface",
};

/** The words an abbreviation stands for, or the word itself. */
export function unabbreviate(word: string): string[] {
  return Object.hasOwn(ABBREVIATIONS, word) ? ABBREVIATIONS[word]!.split(" ") : [word];
}

/** Group members by index term; a word in several groups gets them all. */
const SYNONYMS = new Map<string, Set<string>>();
for (const group of GROUPS) {
  const terms = group.split(" ").map(toTerm);
  for (const term of terms) {
    const set = SYNONYMS.get(term) ?? new Set<string>();
    for (const other of terms) if (other !== term) set.add(other);
    SYNONYMS.set(term, set);
  }
}

/**
 * Verbs that change something. A query with none of them asks to read ("what incidents are
 * open", "recent commits"), so read-only tools get a small lift. "open" and "check" are left
 * out on purpose: they read as often as they act.
 */
const WRITE_VERBS = new Set(
  (
    "create add new make insert generate register delete remove drop destroy erase purge trash " +
    "discard clear update edit modify change patch alter set adjust write save store put persist " +
    "record run execute invoke trigger perform start begin launch boot spawn stop halt terminate " +
    "kill end abort quit shutdown cancel revoke withdraw undo close resolve complete finish " +
    "navigate go visit click press tap type fill enter upload attach download export import copy " +
    "duplicate clone fork move rename relocate transfer assign approve send post share publish " +
    "reply respond deploy release ship subscribe follow mark archive merge push commit stage " +
    "stash rebase reset tag invite mute unmute schedule install apply scale forward react " +
    "comment remember forget link draw plot build compress emulate pretend think replace"
  )
    .split(" ")
    .map(toTerm),
);

/** Verbs that read (as index terms): a tool named for one changes nothing. */
export const READ_VERBS: ReadonlySet<string> = new Set(
  "get list search find read show describe query fetch view count retrieve lookup inspect"
    .split(" ")
    .map(toTerm),
);

/** True when an index term is a verb that changes something. */
export function isWriteVerb(term: string): boolean {
  return WRITE_VERBS.has(term);
}

/** Index terms that mean the same as `term` (an index term) in tool requests. */
export function synonymsOf(term: string): Iterable<string> {
  return SYNONYMS.get(term) ?? [];
}
