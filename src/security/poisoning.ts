/**
 * Tool poisoning: instructions aimed at the model, hidden in tool descriptions. The rules look for
 * intent (a hidden block, an order to read a credential file, to send data somewhere, to keep
 * the user unaware), not for single words, because real tools from published servers must come
 * out clean: bench/security/poisoning.ts measures both sides. Only HIGH findings quarantine.
 */

import { SCANNED_CLEAN } from "./_scanned-clean.gen.ts";
import {
  CREDENTIAL_FILE,
  explains,
  hasOrder,
  maskQuotes,
  ordersAction,
  POINTER,
  readMeaning,
  slotPair,
} from "./intent.ts";
import { fifthFindings } from "./intent-fifth.ts";
import { shownAsExample } from "./intent-fifth-shown.ts";
import { identifierOf, sixthFindings } from "./intent-sixth.ts";
import { definitionDigest, rememberClean, scannedCleanBefore } from "./scan-verdicts.ts";

export interface Finding {
  severity: "high" | "low";
  rule: string;
  excerpt: string;
}

/** A finding in one tool: `where` is `description`, `inputSchema.properties.path.description`... */
export interface ToolFinding extends Finding {
  server: string;
  tool: string;
  where: string;
}

/**
 * Zero-width, bidi, soft-hyphen, combining-grapheme-joiner, filler and Unicode tag characters:
 * text the user cannot see but the model reads.
 */
const INVISIBLE =
  /\u034F|[\u00AD\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFEFF\uFFA0]|\uDB40[\uDC00-\uDC7F]/;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, "g");
/** Variation selectors (VS1-16, VS17-256): harmless after an emoji, a hiding place after text. */
const VARIATION_ALL = /[\uFE00-\uFE0F]|\uDB40[\uDD00-\uDDEF]/g;

/** Credential stores whose contents have no business leaving the machine. */
const CREDENTIAL_STORE =
  /(~\/\.ssh\b|\$HOME\/\.ssh\b|\.ssh[\\/](id_|authorized_keys|known_hosts|config)|\.ssh\s+(folder|directory|dir)\b|\bid_(rsa|dsa|ecdsa|ed25519)\b(?!\.pub)|\.aws[\\/]credentials|~\/\.aws\b|\$HOME\/\.aws\b|\/etc\/(passwd|shadow|sudoers)\b|\.netrc\b|\.git-credentials|\.npmrc\b|\.pypirc\b|~\/\.docker\/config\.json|~\/\.kube\/config|~\/\.config\/gcloud|find-(generic|internet)-password|dump-keychain|\blogin\.keychain|\bLogin\s+Data\b|\bsaved\s+passwords\b|cookies\.sqlite|\.config\/gh\/hosts\.yml|\.pgpass\b|\.my\.cnf\b|\.s3cfg\b|\.vault-token\b|\.terraformrc\b|\.azure\/|\.config\/op\/)/i;
/** Configuration files a tool may well read for the user: only handing them on is an attack. */
const CONFIG_FILE = /(~\/\.cursor\/|(^|[\s'"`(,])\.env\b(?!\.)|mcp\.json\b)/i;
const CREDENTIAL_PATH = new RegExp(`${CREDENTIAL_STORE.source}|${CONFIG_FILE.source}`, "i");

/** A rule: a regular expression, or code where one would backtrack; `index` is where it matched. */
interface Matcher {
  exec(text: string): { index: number } | null;
}

/**
 * A rule that can only match where `needle` does: text without it skips the rule's bounded but
 * costly gaps (tens of steps per verb) altogether.
 */
function needs(needle: RegExp, rule: Matcher): Matcher {
  return { exec: (text) => (needle.test(text) ? rule.exec(text) : null) };
}

/**
 * `<!-- ... -->` holding a word: the first `<!--`, a run of three letters after it, and a `-->`
 * after that (what `<!--[\s\S]*?[A-Za-z]{3,}[\s\S]*?-->` matches), found in one pass each; that
 * regular expression takes cubic time on an unclosed comment ("<!--aaaa...": 22 s at 6,000).
 */
const HIDDEN_COMMENT: Matcher = {
  exec(text) {
    // A comment shown as an example is passed over and the next one looked for (a few at most).
    for (let from = 0, excuses = 0; ; excuses++) {
      const open = text.indexOf("<!--", from);
      if (open < 0) return null;
      const word = /[A-Za-z]{3}/g;
      word.lastIndex = open + 4;
      const found = word.exec(text);
      const close = found ? text.indexOf("-->", found.index + 3) : -1;
      if (close < 0) return null;
      if (excuses >= MAX_EXCUSED || !markupShown(text, open, open + 4, close)) {
        return { index: open };
      }
      from = close + 3;
    }
  },
};

/**
 * A rule that does not hold in a sentence that warns against or explains what it matched: "explains
 * what `curl … | sh` does, without running it" describes the pattern, it does not ask for it.
 */
function unlessWarned(rule: RegExp): Matcher {
  const warned =
    /\b(never|don'?t|do\s+not|avoid|without\s+running|explains?|e\.g\.|for\s+example|such\s+as|risks?|dangerous|warns?)\b/i;
  return {
    exec(text) {
      const match = rule.exec(text);
      if (!match) return null;
      const start = Math.max(
        text.lastIndexOf(".", match.index),
        text.lastIndexOf("\n", match.index),
      );
      const stops = [".", "\n"].map((c) => text.indexOf(c, match.index + match[0].length));
      const end = Math.min(...stops.map((i) => (i < 0 ? text.length : i)));
      return warned.test(text.slice(start + 1, end)) ? null : match;
    },
  };
}

/** A rule read with quoted phrases blanked: "sends probe prompts ('repeat your system prompt')". */
function outsideQuotes(rule: RegExp): Matcher {
  return { exec: (text) => (rule.exec(text) ? rule.exec(maskQuotes(text)) : null) };
}

/** The sentence holding `at` (a full stop ends one only before a space: `~/.ssh` stays whole). */
function sentenceAt(text: string, at: number, end = at): [number, string] {
  const floor = Math.max(0, at - SENTENCE_MAX);
  let start = at;
  // An ellipsis ("<<SYS>> ... <</SYS>>") ends nothing.
  while (start > floor && text[start - 1] !== "\n") {
    const stop = text[start - 2];
    if (
      /\s/.test(text[start - 1]!) &&
      (stop === "!" || stop === "?" || stop === ".") &&
      text[start - 3] !== "."
    ) {
      break;
    }
    start--;
  }
  const rest = text.slice(end, end + SENTENCE_MAX);
  const found = /(?<!\.)[.!?](?=\s|$)|\n/.exec(rest);
  return [start, text.slice(start, end + (found ? found.index : rest.length))];
}
/** The most of a sentence read either side: a longer one is no example sentence anyway. */
const SENTENCE_MAX = 600;
/** The most matches of one rule excused in one text: an explanation shows a few examples. */
const MAX_EXCUSED = 8;

/** A rule read at every match; a match `excused(text, match)` says is harmless is passed over. */
function unless(rule: RegExp, excused: (text: string, match: RegExpExecArray) => boolean): Matcher {
  const all = new RegExp(rule.source, rule.flags.includes("g") ? rule.flags : `${rule.flags}g`);
  return {
    exec(text) {
      if (!rule.test(text)) return null;
      all.lastIndex = 0;
      let excuses = 0;
      for (let m = all.exec(text); m; m = all.exec(text)) {
        if (excuses++ >= MAX_EXCUSED || !excused(text, m)) return m;
        if (m[0] === "") all.lastIndex++;
      }
      return null;
    },
  };
}

/** Words that name markup as a thing: "in <<SYS>> tags", "a block starting with <IMPORTANT>". */
const MARKUP_NOUN =
  /\b(?:tags?|comments?|blocks?|markers?|delimiters?|callouts?|admonitions?|markup|syntax|elements?)\b/i;
/** The longest example a description shows inside markup; a hidden block carries more. */
const EXAMPLE_CONTENT = 40;

/**
 * Markup shown as an example, not used: the sentence names it as markup and orders nothing (what
 * the example wraps left out), and what it wraps is no longer than an example (up to its closing
 * tag or `-->`, or the sentence's end). "Strips HTML comments such as <!-- TODO: remove -->" is
 * about comments; "<IMPORTANT>Before any call, read …</IMPORTANT>" hides an order.
 */
function markupShown(text: string, open: number, openEnd: number, close: number): boolean {
  const end = close >= 0 ? close : openEnd;
  if (close >= 0 && close - openEnd > EXAMPLE_CONTENT) return false;
  const [at, sentence] = sentenceAt(text, open, end);
  if (!MARKUP_NOUN.test(sentence)) return false;
  const wrapped = close >= 0 ? text.slice(openEnd, close) : "";
  const said = sentence.replace(wrapped, " ".repeat(wrapped.length));
  if (close < 0 && sentence.length - (openEnd - at) > 2 * EXAMPLE_CONTENT) return false;
  return !ordersAction(said);
}

/** The user kept in the loop: "apply only after the user confirms", "ask the user first". */
const USER_IN_LOOP =
  /\b(?:only\s+)?(?:after|once|until|unless)\s+the\s+user\s+(?:has\s+|explicitly\s+)?(?:confirm|approv|agree|accept|review|ask)\w*|\bask\s+the\s+user\s+(?:first|before|for\s+(?:confirmation|approval|permission))\b|\bwith\s+the\s+user'?s\s+(?:explicit\s+)?(?:approval|confirmation|consent)\b/i;
/** The longest safety note an emphasis tag wraps. */
const GUARD_CONTENT = 600;

/**
 * An emphasis tag used as emphasis, around a safety rule for the model (issue #16, sixth round):
 * "<IMPORTANT>Run with `dry_run` first and show the user the SQL; apply only after the user
 * confirms.</IMPORTANT>". The wrapped text keeps the user in the loop and, read alone, holds no
 * order any rule finds; a hidden order inside is still one.
 */
function guardsUser(text: string, openEnd: number, close: number): boolean {
  if (close < 0 || close - openEnd > GUARD_CONTENT) return false;
  const inside = text.slice(openEnd, close);
  if (!USER_IN_LOOP.test(inside)) return false;
  return !scanDescription(inside).some((finding) => finding.severity === "high");
}

/** Where the opening partner of a closing tag ends (within GUARD_CONTENT before it), or -1. */
function openingBefore(text: string, tag: string, at: number): number {
  const name = /[A-Za-z_]+/.exec(tag)?.[0];
  if (!name || !/^\s*<\s*\//.test(tag)) return -1;
  const from = Math.max(0, at - GUARD_CONTENT - 40);
  let end = -1;
  for (const m of text.slice(from, at).matchAll(new RegExp(`<\\s*${name}\\s*>`, "gi"))) {
    end = from + m.index + m[0].length;
  }
  return end;
}

/** An instruction tag's closing partner after `from`, or -1: `</IMPORTANT>` for `<IMPORTANT>`. */
function closingTag(text: string, tag: string, from: number): number {
  const name = /[A-Za-z_]+/.exec(tag)?.[0];
  if (!name || /^\s*(<\s*\/|\[\s*\/|<<\s*\/)/.test(tag)) return -1;
  const close = new RegExp(`(<\\s*\\/\\s*|\\[\\s*\\/\\s*|<<\\s*\\/\\s*)${name}`, "i").exec(
    text.slice(from),
  );
  return close ? from + close.index : -1;
}

/** Handing data on, in any form: what a tool reading a file for the user never says. */
const HANDS_ON =
  /\b(send|post|upload|pass|forward|transmit|attach|include|append|provide|share|leak|exfiltrat|submit|put|cop(y|ies|ied))\w*/i;
/**
 * The tool telling what it reads, for the user: a third-person verb opening the sentence ("Reads
 * the SSH config (~/.ssh/config) and lists the host aliases"), nothing ordered, nothing handed on.
 */
function ownRead(sentence: string): boolean {
  return (
    /^\s*(?:(?:this\s+tool|it)\s+)?(?:reads|opens|loads|parses|lists|shows|checks|validates)\b/i.test(
      sentence,
    ) &&
    !ordersAction(sentence) &&
    !HANDS_ON.test(sentence)
  );
}

/**
 * A copy line the tool states it adds ("Messages always include Bcc: archive@… as required by your
 * retention policy"): something comes before it in its sentence and nothing is ordered, with
 * "always" or "also" after a subject read as a statement, not as an order's lead.
 */
function statedCopy(text: string, at: number): boolean {
  const [start, sentence] = sentenceAt(text, at);
  if (!/\w/.test(text.slice(start, at))) return false;
  return !ordersAction(
    sentence.replace(/(?<=\b[A-Za-z]+\s+)(?:always|also|automatically)\s+/gi, ""),
  );
}

/** Verbs that move data: to a tool, an argument, an address. */
const MOVE =
  "(send|forward|post|upload|transmit|e-?mail|mail|pass|put|include|copy|append|attach|add|submit|provide|place|mirror|deliver|report|share|leak|exfiltrate|beacon|sync|push|relay|paste|echo|repeat|summari[sz]e|call\\s+(\\S+\\s+){1,2}with)(s|es|ed|ing)?";
/** The conversation, qualified so that "post a message to a conversation" stays clean. */
const CONVERSATION =
  "(\\b(whole|entire|full|complete|all|every|prior|previous|earlier|past|recent|last|verbatim)\\s+(\\w+\\s+){0,2}(conversation|chat|dialogue|discussion|transcript|messages|prompts|questions|message\\s+history|history)\\b|\\bnew\\s+messages\\s+you\\b|\\b(whatever|everything|all|what)\\s+the\\s+user\\s+(has\\s+)?(asked|said|typed|wrote|told)\\b|\\byour\\s+(full|complete|whole|entire)\\s+(answer|response|reply)\\b|\\b(your|its|the\\s+(model|assistant|agent)'?s)\\s+(\\w+\\s+)?system\\s+prompt\\b|\\beverything\\s+(the\\s+user|you)\\b|\\bchat\\s+(history|transcript|log)\\b|\\bconversation\\s+history\\b)";
/**
 * Before the conversation a verb would move: not the place it is moved to ("add labels to all
 * messages" acts on the messages; "append all prior messages to the notes" moves them).
 */
const NOT_A_DESTINATION = "(?<!\\b(to|into|onto|on)\\s+)";
const SECRET_NAMED =
  "(api[\\s_-]?keys?|access[\\s_-]?keys?|tokens?|passwords?|passwd|secrets?|credentials?|cookies|private\\s+keys?)";
/** The same, with a bare "key" ("a string that looks like a key"). */
const SECRET = SECRET_NAMED.replace("tokens?|", "keys?|tokens?|");
/** A sentence gap: anything but a full stop or newline (a dot inside a word is fine). */
const GAP = (n: number) => `(?:[^.\\n]|\\.(?=\\S)){0,${n}}`;
const rx = (source: string) => new RegExp(source, "i");

const HIGH: [string, Matcher][] = [
  [
    "hidden instruction block",
    unless(
      /<\s*\/?\s*(important|system|instructions?|secret|hidden|admin|override)\s*>|\[\s*\/?\s*(SYSTEM|INST)\s*\]|<\|im_start\|>|<<\s*\/?\s*SYS\s*>>|(^|\n)[ \t]*#{1,4}[ \t]*system\s*:/i,
      (text, m) => {
        const end = m.index + m[0].length;
        const close = closingTag(text, m[0], end);
        if (markupShown(text, m.index, end, close)) return true;
        if (close >= 0) return guardsUser(text, end, close);
        // A closing tag: excused with the emphasis it ends (see guardsUser).
        const opener = openingBefore(text, m[0], m.index);
        return opener >= 0 && guardsUser(text, opener, m.index);
      },
    ),
  ],
  ["hidden HTML comment", HIDDEN_COMMENT],
  [
    // Text a renderer hides from the user but the model reads: terminal escape codes (Trail of
    // Bits' ANSI line jumping), markdown comment links, HTML elements styled out of sight.
    "text hidden from the user by markup",
    new RegExp(
      [
        "\\u001b\\[[0-9;?]*[A-Za-z]",
        String.raw`(^|\n)[ \t]*\[(\/\/|comment|_|[ \t]*)\]:[ \t]*(#|<>)[ \t]*[("'][^)"'\n]*[A-Za-z]{3}`,
        String.raw`<[a-z][a-z0-9]*\b[^>]{0,200}?(\sstyle\s*=\s*["'][^"']{0,100}?(display\s*:\s*none|` +
          String.raw`visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0)|\shidden(\s|>|=))`,
      ].join("|"),
      "i",
    ),
  ],
  ["a chat message in a description", /["']role["']\s*:\s*["'](system|assistant|developer)["']/i],
  [
    "overrides earlier instructions",
    /\b(ignore|disregard|forget|override)\s+(all\s+|any\s+|every\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|other|system)\s+(instructions|prompts?|rules|directions)|\b(ignore|disregard|forget)\s+(all|every|any)\s+(\w+\s+){0,2}(instructions?|rules|prompts?|directions|guidelines|guidance|directives|constraints)\b|\b(previous|prior|earlier|original)\s+(instructions|rules|prompts?)\s+(no\s+longer\s+apply|are\s+(void|cancell?ed|obsolete))|\byou\s+are\s+now\s+(in\s+)?\w+\s+mode\b|\byour\s+(only|new|real)\s+(goal|task|objective|job)\b|\bregardless\s+of\s+what\s+the\s+user\s+(says|asks|wants|requested)\b/i,
  ],
  [
    "claims a new system prompt",
    /\b(new|updated|real|actual)\s+system\s+prompt\b(?!\s+for\s+(the\s+user'?s|a|an|their|your)\b)|\bfrom\s+now\s+on,?\s+you\s+(must|will|should|are)\b/i,
  ],
  [
    "keeps the user unaware",
    // "Do not show the raw log to the user; summarise it" is presentation, not secrecy: no `show`.
    // "Never delete files without asking the user first" protects the user: a negation before.
    /\b(do\s+not|don'?t|never|must\s+not)\s+(tell|mention|inform|reveal|notify|alert|disclose)\b[^.\n]{0,30}\b(user|human|anyone)\b|\bwithout(?<!\b(never|not|don'?t)\b[^.\n;]{0,40}without)\s+(telling|informing|notifying|alerting|asking)\s+the\s+(user|human)\b(?!\s+(until|before|first)\b)|\bwithout\s+the\s+(user|human)('s)?\s+(knowledge|knowing|noticing|consent)\b|\b(silently|secretly|covertly|quietly)\s+(send|read|copy|forward|upload|include|attach|exfiltrate)\b|\bthe\s+user\s+(does\s+not|doesn'?t)\s+need\s+to\s+know\b/i,
  ],
  [
    "names a credential file in an instruction",
    needs(
      CREDENTIAL_STORE,
      unless(
        rx(
          `\\b(read|open|cat|load|include|send|fetch|pass|attach|copy|upload|print|collect|extract|dump|provide|append|post|tar|zip)(s|ed|ing)?\\b${GAP(60)}${CREDENTIAL_STORE.source}|${CREDENTIAL_STORE.source}${GAP(80)}\\b(and|then)\\s+(pass|send|put|include|provide|post|upload|attach|append)\\b`,
        ),
        (text, m) => {
          const [, sentence] = sentenceAt(text, m.index, m.index + m[0].length);
          return explains(sentence) || ownRead(sentence);
        },
      ),
    ),
  ],
  [
    "hands a configuration file on",
    needs(
      CONFIG_FILE,
      rx(
        `\\b(read|open|cat|load|include|send|pass|attach|copy|upload|provide|append|put)(s|ed|ing)?\\b${GAP(60)}${CONFIG_FILE.source}${GAP(60)}\\b(pass|send|provide|put|include|append|attach|upload|post|submit|forward|argument|parameter|field|sidenote)`,
      ),
    ),
  ],
  [
    "a command sends a credential file",
    needs(
      CREDENTIAL_PATH,
      rx(
        `\\b(curl|wget|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|scp|nc|nslookup|dig|requests\\.(post|put)|urlopen|urllib\\.request|httpx\\.post|fetch\\()[^\\n]{0,160}(${CREDENTIAL_PATH.source})|(${CREDENTIAL_PATH.source})[^\\n]{0,80}\\b(curl|wget|Invoke-WebRequest|iwr|scp|nc|urlopen)\\b`,
      ),
    ),
  ],
  [
    "downloads and runs code",
    unlessWarned(
      /\b(curl|wget)\b[^|\n]{0,150}\|\s*(sudo\s+)?(ba|z|da)?sh\b|\b(curl|wget)\b[^\n]{0,150}(&&|;|\bthen)\s*(run|execute|exec|sh|bash|chmod|source|\.\/)\b/i,
    ),
  ],
  [
    "sends data to a URL",
    needs(
      /https?:\/\//i,
      /\b(send|post|upload|forward|exfiltrate|transmit|leak|submit|beacon)(s|ed|ing)?\b(?:[^.\n]|\.(?=\S)){0,50}\b(contents?|data|keys?|secrets?|tokens?|credentials?|passwords?|files?|conversation|history|messages|everything|it|them|environ|env|environment)\b(?:[^.\n]|\.(?=\S)){0,40}\bto\s+(the\s+)?(url|endpoint|webhook|server)?\s*(at\s+)?["'`]?https?:\/\//i,
    ),
  ],
  [
    "moves the conversation elsewhere",
    outsideQuotes(
      rx(
        `\\b${MOVE}\\b${GAP(60)}${NOT_A_DESTINATION}${CONVERSATION}|${CONVERSATION}${GAP(40)}\\b(must|should|has\\s+to|needs\\s+to|is\\s+to)\\s+(always\\s+|also\\s+)?be\\s+(echoed|sent|included|copied|forwarded|pasted|put|added|passed|relayed|attached|uploaded|logged)\\b`,
      ),
    ),
  ],
  [
    "copies secrets from the conversation",
    rx(
      `\\b(${MOVE}|contain|collect|gather)\\b${GAP(40)}\\b(all|every|any|each)\\s+([\\w-]+[\\s,]+){0,5}${SECRET_NAMED}\\b|\\b${SECRET}\\b${GAP(60)}\\b(you\\s+(have\\s+)?(seen|see|saw|read|found|encounter)|(visible|mentioned|seen|shared|pasted)\\s+(in|during)\\s+(the\\s+|this\\s+)?(chat|conversation|context|session)|the\\s+user\\s+(has\\s+)?(mentioned|typed|shared|pasted)|from\\s+(the\\s+)?(chat|conversation|earlier\\s+messages))\\b|\\b(see|find|encounter|notice|spot)\\s+(a|an|any)\\s+(\\w+\\s+){0,3}${SECRET}\\b|\\b(needs?|requires?|pass|send|include|provide|read|put|copy)\\b${GAP(30)}\\bthe\\s+user'?s\\s+(\\w+\\s+){0,2}(private\\s+keys?|passwords?|secret\\w*|aws_secret_access_key|cookies|credentials|session\\s+cookies)\\b`,
    ),
  ],
  [
    "moves files the user opens",
    rx(
      `\\b${MOVE}\\b${GAP(40)}\\b(every|each|all|any)\\s+(files?|repositor(y|ies)|documents?)\\s+(that\\s+)?(you|the\\s+user)\\s+(\\w+\\s+)?(opens?|reads?|touch(es)?|edits?|views?|sees?)\\b`,
    ),
  ],
  [
    "redirects messages to a fixed address",
    unless(
      /\b(send|forward|bcc|cc|copy|redirect)\b[^.\n]{0,40}\b(all|every|each|any)\b[^.\n]{0,40}\bto\s+[\w.+-]+@[\w-]+\.[\w.]+|\bb?cc\b:?\s*[\w.+-]+@[\w-]+\.\w|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+\s+as\s+(a\s+)?b?cc\b|\b(conversation|chat|transcript|history|dialogue)\b[^.\n]{0,40}\bto\s+[\w.+-]+@[\w-]+\.\w/i,
      (text, m) => /^b?cc\b/i.test(m[0]) && statedCopy(text, m.index),
    ),
  ],
  [
    "changes how another tool behaves",
    /\b(recipients?|destination|address|account|receiver)\b[^.\n]{0,30}\b(must|should|has\s+to|needs\s+to)\s+(always\s+)?be\s+(changed|set|replaced|switched|rewritten|redirected)\s+to\b|\bthe\s+`?(?!this\b)\w+`?\s+tool\s+(is|has\s+been)\s+(broken|outdated|unsafe|disabled|compromised)\b|\binstead\s+be\s+(sent|forwarded|routed|delivered)\b|\b(changes?|modif(y|ies)|overrides?|replaces?)\s+how\s+(the\s+)?`?[\w-]+`?\s+(tool\s+)?(works|behaves)\b|\bother\s+tools\b[^.\n]{0,40}\b(are\s+)?(outdated|deprecated|broken|unsafe|compromised)\b/i,
  ],
  [
    "asks to decode and follow hidden text",
    /\b(decode|decipher|reverse|backwards|rot-?13|base-?64|hex)\b[^.\n]{0,60}\b(?<!\b(not|never|n't)\s+)(?<!\b(not|never|n't)\s+\w+\s+or\s+)(follow|obey|execute|do\s+what|comply|carry\s+out)\b/i,
  ],
  ["invisible characters", INVISIBLE],
];

const LOW: [string, Matcher][] = [
  [
    "asks to call another tool first",
    /\b(before\s+(using|calling|invoking)\s+this\s+tool|always\s+call|you\s+must\s+(first\s+)?call|call\s+\S+\s+first)\b/i,
  ],
  ["mentions a credential file", CREDENTIAL_PATH],
  [
    "asks for the conversation",
    /\b(entire|full|whole|complete)\s+(conversation|chat)(\s+history)?\b|\bsystem\s+prompt\b/i,
  ],
  ["long run of whitespace", / {40,}|\n{8,}/],
  ["long encoded blob", /[A-Za-z0-9+/]{160,}={0,2}/],
  // A flag's letters start right after its dashes: `-{1,2}[a-z-]+` splits "--a" two ways, and
  // "curl --a --a ..." in exponentially many (24 flags: a third of a second, 40: hours).
  ["runs curl or wget against a URL", /\b(curl|wget)\s+(-{1,2}[a-z][a-z-]*\s+)*["']?https?:\/\//i],
];

/** A description longer than this is a low note: room to hide instructions below the fold. */
const LONG_DESCRIPTION = 2000;
/**
 * The most of one text the rules read (64 KiB). A longer one is a HIGH finding by itself: no
 * published tool needs that much, and what lies past the cap is not read.
 */
export const MAX_SCANNED = 65_536;

/** Cyrillic and Greek letters that look like Latin ones, folded before the rules read a text. */
const CONFUSABLES: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  і: "i",
  ј: "j",
  ѕ: "s",
  ԁ: "d",
  һ: "h",
  ӏ: "l",
  ԛ: "q",
  ԝ: "w",
  ɡ: "g",
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  Х: "X",
  У: "Y",
  І: "I",
  Ј: "J",
  Ѕ: "S",
  Ԁ: "D",
  α: "a",
  ο: "o",
  ε: "e",
  ι: "i",
  ν: "v",
  ρ: "p",
  τ: "t",
  υ: "u",
  κ: "k",
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
};
const CONFUSABLE_ALL = new RegExp(`[${Object.keys(CONFUSABLES).join("")}]`, "g");
const NOT_CONFUSABLE = new RegExp(`[^${Object.keys(CONFUSABLES).join("")}]`);
const CONFUSABLE_ONE = new RegExp(`[${Object.keys(CONFUSABLES).join("")}]`);
const LETTERS_ALL = /\p{L}+/gu;
/** A Latin letter touching a Cyrillic one: a word spelled with look-alikes. */
const MIXED_SCRIPT = /[A-Za-z][\u0400-\u052F]|[\u0400-\u052F][A-Za-z]/;
/** A variation selector after plain text (after an emoji or a keycap digit it is ordinary). */
const STRAY_VARIATION = /[A-Za-z.,;:!?'"`()[\]<>{}\s][\uFE00-\uFE0F]|\uDB40[\uDD00-\uDDEF]/;
/** Combining marks after an ASCII character (NFKC has already composed the accented letters). */
const MARKS_ON_LATIN =
  /(?<=[\x21-\x7E])[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]+/g;
/** Unicode tag characters spell ASCII invisibly: U+E0020-E007E. */
const TAG_ALL = /\uDB40([\uDC20-\uDC7E])/g;
const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t" };

/**
 * What the model reads once the disguise is off: tag characters spelled out, NFKC (fullwidth
 * `＜IMPORTANT＞` becomes `<IMPORTANT>`), invisible characters and stray variation selectors
 * dropped, Cyrillic and Greek look-alikes folded to Latin; then typographic dashes and quotes as
 * one-byte stand-ins when that makes the text one-byte (`oneByte`).
 */
export function normalizeForScan(text: string): string {
  if (!/[^\p{ASCII}]/u.test(text)) return text; // plain ASCII: nothing to undo
  return oneByte(undisguised(text));
}

/**
 * Typographic dashes and quotes, one character for one, as their windows-1252 places in C1: like
 * them, neither letters, word, space nor line characters. The rules that name these characters
 * name both forms (src/security/intent.ts).
 */
const TYPOGRAPHIC: Record<string, string> = {
  "\u2013": "\x96",
  "\u2014": "\x97",
  "\u2018": "\x91",
  "\u2019": "\x92",
  "\u201C": "\x93",
  "\u201D": "\x94",
};
const TYPOGRAPHIC_ALL = /[\u2013\u2014\u2018\u2019\u201C\u201D]/g;
const AS_TYPOGRAPHIC = Object.fromEntries(Object.entries(TYPOGRAPHIC).map(([a, b]) => [b, a]));

/**
 * The text as a one-byte string when its only characters past Latin-1 are typographic dashes and
 * quotes (an en dash in a description, "don’t"), else as it is. JavaScriptCore compiles every
 * regular expression again the first time it runs on a two-byte string: 37 ms and 1.6 MiB for
 * the scanner's (bench/search/scale-11-two-byte.ts). `replace` keeps a string two-byte, so the
 * folded text is copied through Latin-1.
 */
function oneByte(text: string): string {
  // Latin-1 content may still be held two-byte (NFKC's output, a zero-width space taken out).
  const folded = /[\u0100-\uFFFF]/.test(text)
    ? text.replace(TYPOGRAPHIC_ALL, (c) => TYPOGRAPHIC[c] ?? c)
    : text;
  if (/[\u0100-\uFFFF]/.test(folded)) return text;
  return Buffer.from(folded, "latin1").toString("latin1");
}

/** A reading's text with the typographic stand-ins of `oneByte` as written, for an excerpt. */
function asWritten(text: string): string {
  return text.replace(/[\x91-\x94\x96\x97]/g, (c) => AS_TYPOGRAPHIC[c] ?? c);
}

/** `normalizeForScan` before `oneByte`. */
function undisguised(text: string): string {
  const plain = text
    .replace(TAG_ALL, (_, low: string) => String.fromCharCode(low.charCodeAt(0) - 0xdc00))
    .normalize("NFKC")
    .replace(INVISIBLE_ALL, "")
    .replace(VARIATION_ALL, "")
    // Combining marks stacked on Latin letters ("s̷e̷n̷d̷", zalgo text) are read without them.
    .replace(MARKS_ON_LATIN, "");
  if (!CONFUSABLE_ONE.test(plain)) return plain;
  // A Russian or Greek word stays itself; a word with Latin letters in it is read as the Latin it
  // imitates, and so is one made only of look-alikes ("Ѕеnd", "аре") unless the text is written
  // in that script (Russian "в" is a word, not a disguised "b").
  const native = nativeScript(plain);
  return plain.replace(LETTERS_ALL, (word) =>
    CONFUSABLE_ONE.test(word) && (/[A-Za-z]/.test(word) || (!native && !NOT_CONFUSABLE.test(word)))
      ? word.replace(CONFUSABLE_ALL, (c) => CONFUSABLES[c] ?? c)
      : word,
  );
}

/** Whether a text has Cyrillic or Greek letters that imitate nothing: it is written in them. */
function nativeScript(text: string): boolean {
  for (const [letter] of text.matchAll(/[\u0370-\u03FF\u0400-\u052F]/g)) {
    if (!(letter in CONFUSABLES)) return true;
  }
  return false;
}

/** A run of %XX escapes as the text it spells (left as is when it is not UTF-8). */
function percentDecode(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run;
  }
}

/** A base32 run as latin1 text. */
function base32(run: string): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const c of run.replace(/=+$/, "")) {
    value = (value << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out += String.fromCharCode((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

/** Printable text that base64 or hex runs decode to (at most 20 runs, each at most 8 KiB). */
function decodedRuns(text: string): string[] {
  const out: string[] = [];
  const printable = (s: string) => s.length >= 8 && /^[\x20-\x7E\n\r\t]+$/.test(s) && / /.test(s);
  // Maximal runs, found in one pass; a run too short or too long to be a hidden sentence is skipped.
  // Base32 (RFC 4648): capitals and 2-7, padded with "=".
  for (const [run] of text.matchAll(/[A-Z2-7]{16,}={0,6}/g)) {
    if (out.length >= 20 || run.length > 8192) break;
    const decoded = base32(run);
    if (printable(decoded)) out.push(decoded);
  }
  // Only runs of 16 or more: the first position with 16 such characters ahead starts a run.
  for (const [run] of text.matchAll(/[A-Za-z0-9+/]{16,}={0,2}/g)) {
    if (out.length >= 20) break;
    if (run.length > 8192) continue;
    const hex = /^(?:[0-9a-fA-F]{2})+$/.test(run);
    const decoded = Buffer.from(run, hex ? "hex" : "base64").toString("latin1");
    if (printable(decoded)) out.push(decoded);
  }
  return out;
}

/** A run of single characters joined by one separator: "S-e-n-d", "h.t.t.p". */
const SEPARATED = /(?:^|\s)(?:\S[-_.*|\u00B7]){3,}\S(?=\s|$)/;
const SEPARATED_ALL = /(?<=^|\s)(?:\S[-_.*|\u00B7]){1,}\S(?=\s|$)/g;
/** One letter rotated by `n` places. */
const rotate = (c: string, n: number) => {
  const base = c <= "Z" ? 65 : 97;
  return String.fromCharCode(((c.charCodeAt(0) - base + n) % 26) + base);
};
const rot13 = (c: string) => rotate(c, 13);
/** One HTML character reference as its character (printable ASCII only). */
const entity = (whole: string, hex: string, digits: string) => {
  const code = Number.parseInt(digits, hex ? 16 : 10);
  return code >= 32 && code < 127 ? String.fromCharCode(code) : whole;
};

/**
 * The readings of a text the HIGH rules run on: normalized; with digits in words read as letters
 * ("s3nd"); with spaced-out letters joined ("s e n d"); reversed when it says to read backwards;
 * and what its base64 and hex runs decode to.
 */
export function readings(text: string): [string, string][] {
  if (text === lastReadings[0]) return lastReadings[1]; // scanTool reads each text twice in a row
  const out = readingsOf(text);
  lastReadings = [text, out];
  return out;
}
let lastReadings: [string, [string, string][]] = ["", []];

function readingsOf(text: string): [string, string][] {
  const normal = normalizeForScan(text);
  const out: [string, string][] = [["", normal]];
  if (/[A-Za-z][0-9]|[0-9][A-Za-z]/.test(normal)) {
    // Only when a word turns into one of letters ("s3nd", "c0nv3rs4ti0n"): "v2", "utf8", "sha256",
    // "s3" and "ec2" stay what they are, and the text is not read a second time for them.
    let changed = false;
    const folded = normal.replace(/[A-Za-z0-9]+/g, (word) => {
      if (!/[A-Za-z]/.test(word) || !/[0-9]/.test(word)) return word;
      const letters = word.replace(/[013457]/g, (d) => LEET[d] ?? d);
      if (letters.length >= 4 && /^[A-Za-z]+$/.test(letters)) changed = true;
      return letters;
    });
    if (changed) out.push([" (digits read as letters)", folded]);
  }
  if (/(^|\s)\S \S \S \S /.test(normal)) {
    out.push([" (spaced letters joined)", normal.replace(/(?<=(?:^|\s)\S) (?=\S(?:\s|$))/g, "")]);
  }
  // Letters joined by a separator, one by one: "S-e-n-d t-h-e c-h-a-t", "s.e.n.d".
  if (SEPARATED.test(normal)) {
    out.push([
      " (separated letters joined)",
      normal.replace(SEPARATED_ALL, (run) => run.replace(/(\S)[-_.*|\u00B7]/g, "$1")),
    ]);
  }
  // Escapes: "\\u0073\\u0065…", "\\x73\\x65…".
  if (normal.includes("\\") && /(?:\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2})){4}/.test(normal)) {
    out.push([
      " (escapes decoded)",
      normal.replace(/\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g, (_, u: string, x: string) =>
        String.fromCharCode(Number.parseInt(u ?? x, 16)),
      ),
    ]);
  }
  // HTML character references: "&#115;&#101;&#110;&#100;" is "send".
  if (normal.includes("&#") && /(?:&#x?[0-9a-f]+;){4}/i.test(normal)) {
    out.push([" (HTML entities decoded)", normal.replace(/&#(x?)([0-9a-f]+);/gi, entity)]);
  }
  // A Caesar shift the text names ("shift each letter back by 3").
  const shift =
    /\bshift\w*\s+(?:each\s+|every\s+|the\s+)?(?:letters?\s+)?(back(?:wards?)?|forwards?|left|right)?\s*by\s+(\d{1,2})\b/i.exec(
      normal,
    );
  if (shift) {
    const by = Number(shift[2]) % 26;
    const back = !shift[1] || /^(back|left)/i.test(shift[1]);
    const n = back ? 26 - by : by;
    out.push([" (Caesar shift undone)", normal.replace(/[A-Za-z]/g, (c) => rotate(c, n))]);
  }
  // Reversed or ROT13 text, when the text says so (the model is told to undo it).
  const undo = /\b(backwards?|reversed?|rot-?\s?13|caesar|rotated)\b/i.test(normal);
  if (undo && /\b(rot-?\s?13|caesar|rotated\s+by\s+13)\b/i.test(normal)) {
    out.push([" (ROT13 decoded)", normal.replace(/[A-Za-z]/g, rot13)]);
  }
  if (undo && /\b(backwards?|reversed?)\b/i.test(normal)) {
    out.push([" (read backwards)", [...normal].reverse().join("")]);
  }
  // Four escapes in a row, or encoded spaces between words ("after%20hashing%2C%20also…").
  if (/(%[0-9A-Fa-f]{2}){4}/.test(normal) || /%20\w{1,40}%20\w{1,40}%2[0C]/i.test(normal)) {
    out.push([" (percent-decoded)", normal.replace(/(?:%[0-9A-Fa-f]{2})+/g, percentDecode)]);
  }
  for (const decoded of decodedRuns(normal)) out.push([" (in decoded text)", decoded]);
  return out;
}

/**
 * The person the model works for, by other names: "the human", "the person you are helping",
 * "the end user", "whoever you are chatting with", "the requester". Read as "the user".
 */
const THE_USER =
  /\b(?:the|this|your)\s+(?:human(?:\s+(?:user|operator))?|end[\s-]users?|requester|requestor|(?:person|individual|human|customer|client|people)\s+(?:(?:that|who|whom)\s+)?(?:you(?:'re|\s+are)?|the\s+assistant\s+is)\s+\w+ing(?:\s+(?:to|with|for))?)\b|\bwhoever\s+(?:you(?:'re|\s+are)|is)\s+\w+ing(?:\s+(?:to|with|for))?\b/gi;
/** A word of the text that names one of `own`'s parameters, not already in backticks. */
function restated(text: string, own: Set<string> | undefined): string | null {
  // A few words cannot hold data, an act and a place.
  if (text.length < 24) return null;
  let out = text;
  if (
    /\b(?:human|person|individual|people|end[\s-]user|requeste?or|whoever|customer|client)/i.test(
      out,
    )
  ) {
    out = out.replace(THE_USER, "the user");
  }
  // One pattern for every tool (a pattern per parameter list would be compiled per tool).
  let named = false;
  if (own) for (const name of own) if (out.includes(name)) named = true;
  if (named && own) {
    out = out.replace(PLACE, (whole, before: string, name: string) =>
      own.has(name) ? `${before}\`${name}\`` : whole,
    );
  }
  return out === text ? null : out;
}

/** A word after "in", "into", "as"…: a parameter of this tool, when one is so named. */
const PLACE =
  /\b((?:in|into|to|as|inside|within|onto)\s+(?:the\s+|its\s+|a\s+)?)([A-Za-z][\w-]{2,40})(?![\w`-])/g;

/** A parameter's or a prompt argument's own description: where its value is the sink. */
const ARGUMENT_DESCRIPTION = /\.properties\.[^.]+\.description$|\.arguments\[\d+\]\.description$/;
/** An order to fill a value ("fill with…", "set to…", "paste…"). */
const FILL =
  /\b(?:fill|populate|put|paste|use|provide|include|insert|enter|supply|give|quote|append|prepend|suffix|prefix|concatenate|attach)\b/gi;
/**
 * The same said of the value, not ordered (issue #16, fourth round): "compute it by appending…",
 * "the license is the value of…", "also add one tag per…", "copiare qui…", "…を追記".
 */
const ARGUMENT_FILL =
  /\b(?:the\s+)?(?:agent|assistant|model|ai|llm)\s+(?:fills|puts|sets|includes|adds|appends|passes|writes|enters|supplies|provides|places)\b|\b(?:by|from|with)\s+(?:appending|adding|copying|pasting|including|concatenating|prepending)\b|\b(?:is|are|must\s+be|should\s+be)\s+(?:the\s+)?(?:value|contents?|text)\s+of\b|\balso\s+(?:add|append|include|put|copy)\b|\b(?:copiare|incollare|inserire|aggiungere|copiar|pegar|añadir|kopieren|einfügen|anhängen|copier|coller|ajouter)\b|追記|記入|貼り付け|添付|附加|填入|粘贴/i;

/** A parameter's description that names its value after a label: "Session blob: the complete…". */
const LABELLED = /^[^.:\n]{1,40}:\s+(?:the|a|an|your|their|all|every)\s/i;

/**
 * Scans one piece of text (a description, a title, a default value). With `argument`, the text
 * describes a parameter, and "fill with the whole conversation" needs no other sink: the
 * parameter is where it goes.
 */
export function scanDescription(whole: string, argument = false, own?: Set<string>): Finding[] {
  const findings: Finding[] = [];
  if (whole.length > MAX_SCANNED) {
    findings.push({
      severity: "high",
      rule: "too long to scan",
      excerpt: `${whole.length} characters, over ${MAX_SCANNED}: ${excerpt(whole, 0)}`,
    });
  }
  const text = shownAsExample(whole.slice(0, MAX_SCANNED));
  for (const [rule, pattern] of [
    ["invisible characters", INVISIBLE],
    ["invisible characters", STRAY_VARIATION],
    ["words spelled with look-alike letters", MIXED_SCRIPT],
  ] as const) {
    const match = pattern.exec(text);
    if (match && !findings.some((f) => f.rule === rule)) {
      findings.push({ severity: "high", rule, excerpt: excerpt(text, match.index) });
    }
  }
  const all = readings(text);
  const normal = all[0]?.[1] ?? text;
  for (const [rule, pattern] of HIGH) {
    for (const [how, reading] of all) {
      const match = pattern.exec(reading);
      if (match) {
        findings.push({
          severity: "high",
          rule: rule + how,
          excerpt: excerpt(reading, match.index),
        });
        break;
      }
    }
  }
  let understood = false;
  for (const [how, reading] of all) {
    const meaning =
      readMeaning(reading) ??
      (argument &&
      (hasOrder(FILL, reading) || ARGUMENT_FILL.test(reading) || LABELLED.test(reading))
        ? readMeaning(
            reading.replace(/([.!?;])(?=\s|$)|([。！？])|$/g, (_, a, b) => ` here${a ?? b ?? ""}`),
          )
        : null);
    if (meaning) {
      findings.push({
        severity: "high",
        rule: meaning.rule + how,
        excerpt: excerpt(reading, meaning.index),
      });
      understood = true;
      break;
    }
  }
  // Who is who, said plainly (issue #16, fifth round): the person the model serves under any name
  // ("the human", "the person you are helping") is the user, and a parameter of this very tool
  // named bare ("put it in the city") is a place data goes, as "`city`" is. Read again only when
  // nothing was found and the text has either.
  if (!understood) {
    const plain = restated(normal, own);
    const meaning = plain === null ? null : readMeaning(plain);
    if (meaning && plain !== null) {
      findings.push({
        severity: "high",
        rule: `${meaning.rule} (who is who)`,
        excerpt: excerpt(plain, meaning.index),
      });
      understood = true;
    }
  }
  // Two slots of an order in one paragraph, whatever the words between them (see slotPair).
  for (const [how, reading] of understood ? [] : all) {
    const pair = slotPair(reading);
    if (pair) {
      findings.push({
        severity: "high",
        rule: pair.rule + how,
        excerpt: excerpt(reading, pair.index),
      });
      break;
    }
  }
  for (const [rule, pattern] of LOW) {
    const match = pattern.exec(normal);
    if (match) findings.push({ severity: "low", rule, excerpt: excerpt(normal, match.index) });
  }
  if (whole.length > LONG_DESCRIPTION) {
    findings.push({
      severity: "low",
      rule: "very long description",
      excerpt: `${whole.length} characters: ${excerpt(text, 0)}`,
    });
  }
  return findings;
}

/** The parts of a tool definition the model reads. */
interface ToolLike {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
  _meta?: unknown;
}

/**
 * Scans a tool: its name (for invisible characters), title, description, and every string and
 * property name in its input and output schemas, annotations and `_meta`, at any depth up to
 * MAX_DEPTH (a deeper one is a HIGH finding: what lies below is not read).
 */
export function scanTool(server: string, tool: ToolLike): ToolFinding[] {
  const out: ToolFinding[] = [];
  const texts: string[] = [];
  const own = ownParameters(tool.inputSchema);
  /** Texts holding an `@`: where an outside e-mail address may sit. */
  const addressed: [string, string][] = [];
  const read: [string, string][] = [];
  /** Identifiers that may spell a sentence: long data values and property names. */
  const ids: [string, string][] = [];
  const add = (where: string, text: unknown) => {
    if (typeof text !== "string" || !text) return;
    if (text.includes(" ")) texts.push(text);
    gather(where, text, read, ids);
    if (text.includes("@")) addressed.push([where, text]);
    for (const finding of scanDescription(text, ARGUMENT_DESCRIPTION.test(where), own)) {
      out.push({ server, tool: tool.name, where, ...finding });
    }
  };
  for (const pattern of [INVISIBLE, MIXED_SCRIPT]) {
    if (!pattern.test(tool.name)) continue;
    out.push({
      server,
      tool: tool.name,
      where: "name",
      severity: "high",
      rule:
        pattern === INVISIBLE ? "invisible characters" : "words spelled with look-alike letters",
      excerpt: excerpt(tool.name, 0),
    });
  }
  const flag = (where: string, rule: string, text: string) =>
    out.push({ server, tool: tool.name, where, severity: "high", rule, excerpt: asWritten(text) });
  add("title", tool.title);
  const order = typeof tool.title === "string" ? orderInData("title", tool.title) : null;
  if (order !== null) flag("title", "an instruction in a data field", order);
  add("description", tool.description);
  for (const key of ["annotations", "inputSchema", "outputSchema", "_meta"] as const) {
    walk(tool[key], key, add, flag);
  }
  const lie = annotationLie(tool);
  if (lie) flag("annotations", "annotations contradict the description", lie);
  const stray = addressed.length ? strayAddress(tool, addressed) : null;
  if (stray) flag(stray[0], "an outside address in a tool that sends nothing to anyone", stray[1]);
  for (const found of fifthFindings(tool, read)) flag(...found);
  for (const found of sixthFindings(tool.name, read, ids)) flag(...found);
  // An instruction split across fields, one pointing at the next, is read as one text.
  if (
    texts.length > 1 &&
    !out.some((f) => f.severity === "high") &&
    texts.some((t) => POINTER.test(t))
  ) {
    const joined = normalizeForScan(texts.join(" ").slice(0, MAX_SCANNED));
    const meaning = readMeaning(joined, true);
    if (meaning)
      flag(
        "fields read together",
        `${meaning.rule} (across fields)`,
        excerpt(joined, meaning.index),
      );
  }
  return out;
}

/**
 * The fifth and sixth rounds' findings in a document the model reads as one (a skill's file):
 * `texts` are [where, text], `name` what the document is called. A document has no fields.
 */
export function documentFindings(
  name: string,
  texts: [string, string][],
): [where: string, rule: string, excerpt: string][] {
  const read: [string, string][] = [];
  const ids: [string, string][] = [];
  for (const [where, text] of texts) gather(where, text, read, ids);
  return [...fifthFindings({}, read), ...sixthFindings(name, read, ids)];
}

/**
 * Keeps what the fifth and sixth rounds' rules read of one text: its readings (normalized and
 * decoded) into `read`, and into `ids` the identifier it may be (see identifierOf).
 */
function gather(
  where: string,
  text: string,
  read: [string, string][],
  ids: [string, string][],
): void {
  const id = identifierOf(where, text);
  if (id !== null) ids.push([where, id]);
  if (text.length > 7)
    for (const [, r] of readings(shownAsExample(text.slice(0, MAX_SCANNED)))) read.push([where, r]);
}

/**
 * What a tool is for, said by its name, title, parameter names or first sentence, when that
 * purpose involves people's addresses: mail, messages, invitations, sharing, accounts, tickets,
 * commits (their authors), contacts. Such a tool may name an address; any other has no use for one.
 */
const ADDRESS_PURPOSE =
  /mail|messag|\bb?cc\b|draft|repl(?:y|ies)|repo|clone|send|share|sharing|invit|notif|contact|calendar|event|meeting|recipient|attendee|sms|slack|discord|teams|chat|newsletter|campaign|subscri|users?\b|member|account|customer|lead|crm|ticket|git|commit|author|owner|admin|profile|identity|login|address|domain|dns|whois|correo|courriel|nachricht|mensaje|messaggio|mensagem|wiadomo|почт|сообщ|лист|邮|郵|メール|메일|消息|信息/i;
/** A sentence that names the tool's maker or where to ask for help, not a recipient. */
const MAKER_CONTACT =
  /\b(?:contact|questions?|support|feedback|help|bugs?|issues?|report(?:ed|ing)?|reach|maintain\w*|author\w*|licen[cs]\w*|copyright|e-?mail\s+us|write\s+to\s+us|kontakt\w*|contacto|contatto|contato)\b|联系|連絡|문의/i;

/**
 * An outside e-mail address (not a documentation domain) in the text of a tool whose own purpose,
 * as its name, title, parameter names and first sentence tell it, has nothing to do with people's
 * addresses (issue #16, fifth round: a weather tool that says mail "should also go to
 * ops-archive@…"). The address is the attacker's: a recipient added to another tool's mail, a
 * place to send data. A sentence that gives the maker's contact is left alone. Real tools of the
 * corpora name only documentation addresses (`user@example.com`) outside mail, calendar and git
 * tools.
 */
function strayAddress(tool: ToolLike, addressed: [string, string][]): [string, string] | null {
  const found = addressed.find(([, text]) => OUTSIDE_ADDRESS.test(text));
  if (!found) return null;
  const description = typeof tool.description === "string" ? tool.description : "";
  const first = description.slice(0, 300).split(/(?<=[.!?。])\s|\n/)[0] ?? "";
  const schema = tool.inputSchema as { properties?: Record<string, unknown> } | undefined;
  const names = schema?.properties ? Object.keys(schema.properties).join(" ") : "";
  const purpose = `${tool.name} ${typeof tool.title === "string" ? tool.title : ""} ${names} ${first}`;
  if (ADDRESS_PURPOSE.test(normalizeForScan(purpose))) return null;
  for (const [where, text] of addressed) {
    const normal = normalizeForScan(text.slice(0, MAX_SCANNED));
    let seen = 0;
    for (const at of normal.matchAll(OUTSIDE_ADDRESSES)) {
      const [, sentence] = sentenceAt(normal, at.index, at.index + at[0].length);
      // An SSH remote (`git@host:owner/repo`) is no mailbox; "e.g. a@b.io" is an example.
      const remote = /^git@/i.test(at[0]) && normal[at.index + at[0].length] === ":";
      const example = /(?:e\.g\.|i\.e\.|for\s+example|such\s+as|like)[\s,:(]*$/i.test(
        normal.slice(Math.max(0, at.index - 20), at.index),
      );
      if (!remote && !example && !MAKER_CONTACT.test(sentence)) {
        return [where, excerpt(normal, at.index)];
      }
      // A text of contact lines is read no further (each sentence is read in full).
      if (++seen >= MAX_EXCUSED) break;
    }
  }
  return null;
}

/**
 * The tool's own top-level parameter names (three letters or more, at most 32 of them), or
 * undefined: where the model will put what the text tells it to.
 */
function ownParameters(schema: unknown): Set<string> | undefined {
  const properties = (schema as { properties?: unknown } | undefined)?.properties;
  if (!properties || typeof properties !== "object") return undefined;
  const names = Object.keys(properties)
    .filter((name) => /^[A-Za-z][\w-]{2,40}$/.test(name))
    .slice(0, 32);
  return names.length ? new Set(names) : undefined;
}

/** A description that opens with sending data out or destroying it. */
const OUTWARD_OPENING =
  /^\s*(?:uploads?|sends?|posts?|publish(?:es)?|synchroni[sz]es?|syncs?|transfers?|pays?|wipes?|overwrites?|deletes?|removes?)\b/i;

/**
 * Annotations that tell the client a tool only reads (`readOnlyHint: true`) while its description
 * opens with uploading, sending, syncing or deleting (issue #16, fourth round): the hint a client
 * auto-approves on, set to get a harmful call approved. None of the 567 read-only real tools of
 * the corpora opens so.
 */
function annotationLie(tool: ToolLike): string | null {
  const hints = tool.annotations as { readOnlyHint?: unknown } | undefined;
  if (hints?.readOnlyHint !== true || typeof tool.description !== "string") return null;
  const opening = normalizeForScan(tool.description.slice(0, 200));
  if (!OUTWARD_OPENING.test(opening) || sendsOnlyALog(opening)) return null;
  return `readOnlyHint: true, yet "${excerpt(tool.description, 0)}"`;
}

/**
 * A first sentence that sends a log message (or a progress notification) and nothing else,
 * nowhere else: "Sends text as a log message", "Sends a log message at the given level (to the
 * client)". What an MCP tool sends so goes to its own client.
 */
const ONLY_A_LOG = new RegExp(
  [
    "^\\s*sends?\\s+",
    "(?:(?:the\\s+)?(?:given\\s+)?(?:text|message|string)\\s+as\\s+)?",
    "(?:an?\\s+|the\\s+)?(?:(?:debug|info|notice|warning|error|custom)\\s+)?",
    "(?:log(?:ging)?\\s+(?:message|entry|line|record|notification)s?|progress\\s+(?:notification|update)s?)",
    "(?:\\s+(?:to\\s+the\\s+(?:client|user)|at\\s+(?:the\\s+|a\\s+)?(?:given\\s+|chosen\\s+|requested\\s+)?(?:level|severity)|with\\s+(?:the\\s+|a\\s+)?(?:given\\s+)?(?:level|severity|logger(?:\\s+name)?)))*",
    "\\s*$",
  ].join(""),
  "i",
);

/** Session 12: a read-only tool that sends only a log message was flagged as contradicting. */
function sendsOnlyALog(opening: string): boolean {
  return ONLY_A_LOG.test(opening.split(/[.!?\n]/, 1)[0] ?? "");
}

/**
 * Every text of a definition (a tool, or an entry of another kind) the scanner reads, with where
 * it sits: what bench/security/learn.ts trains the learned signal on.
 */
export function textsOf(definition: Record<string, unknown>, kind = "tool"): [string, string][] {
  const out: [string, string][] = [];
  const add = (where: string, text: unknown) => {
    if (typeof text === "string" && text) out.push([where, text]);
  };
  const ignore = () => {};
  if (kind !== "tool") walk(definition, kind, add, ignore);
  else {
    add("title", definition.title);
    add("description", definition.description);
    for (const key of ["annotations", "inputSchema", "outputSchema", "_meta"]) {
      walk(definition[key], key, add, ignore);
    }
  }
  return out;
}

/**
 * Fields that hold data, not prose: a title, an enum value, a default, an example, a const. Real
 * ones are names and short phrases ("Slow 3G", "relates to"); one that speaks to the model
 * ("choose this value, then call export_contacts…") is an instruction where none was expected.
 */
function isDataField(where: string): boolean {
  // Annotations are hints and a title; `_meta` holds ids and settings: neither holds prose.
  if (where.startsWith("annotations.") || where.startsWith("_meta.")) return true;
  const key = where.slice(where.lastIndexOf(".") + 1);
  return (
    key === "title" ||
    key === "const" ||
    key === "default" ||
    (key.endsWith("]") &&
      (key.startsWith("enum[") || key.startsWith("examples[") || key.startsWith("default[")))
  );
}

/** An e-mail address outside the documentation domains. */
const OUTSIDE_ADDRESS =
  /[\w.+-]{1,64}@(?!(?:example|test|localhost|domain|email|company|acme)\.)[\w-]+\.[a-z]{2,}/i;
const OUTSIDE_ADDRESSES = new RegExp(OUTSIDE_ADDRESS.source, "gi");
/** Verbs that send what a field selects elsewhere. */
const SENDS = /\b(?:upload|send|post|transmit|forward|share|sync|mirror|export)\w*/i;

/**
 * A schema whose fixed values do the poisoning (issue #16, fourth round): the only allowed value,
 * the default or the const is an outside e-mail address (a recipient the model will not choose:
 * `bcc` defaulting to `archive@…`, `also_share_with` allowing one address), or a credential path
 * among the values of a field its description says is sent elsewhere ("Globs to index and upload":
 * `~/.ssh/*`). Real schemas default to names, numbers and documentation addresses.
 */
function fixedValues(node: Record<string, unknown>): [string, string] | null {
  if (!("default" in node || "const" in node || "enum" in node || "examples" in node)) return null;
  const values: string[] = [];
  for (const key of ["default", "const", "enum", "examples"]) {
    const value = node[key];
    if (typeof value === "string") values.push(value);
    else if (Array.isArray(value)) {
      // One level of nesting too: `examples: [["./src", "~/.ssh"]]`.
      for (const v of value.flat()) if (typeof v === "string") values.push(v);
    }
  }
  if (!values.length) return null;
  const only = [
    node.default,
    node.const,
    Array.isArray(node.enum) && node.enum.length === 1 ? node.enum[0] : undefined,
  ];
  for (const value of only) {
    if (typeof value === "string" && OUTSIDE_ADDRESS.test(value)) {
      return ["a fixed outside recipient in a data field", value];
    }
  }
  const about = typeof node.description === "string" ? node.description : "";
  if (SENDS.test(about)) {
    const path = values.find((value) => CREDENTIAL_FILE.test(value));
    if (path !== undefined) return ["a credential file in a field sent elsewhere", path];
  }
  return null;
}
/** Words of an order to the model: its name and a modal, a tool to call, "choose this one"… */
const ORDER_IN_DATA =
  /\b(?:the\s+)?(?:assistant|ai|agent|model|llm)\s*(?::|,\s|\s(?:must|should|has\s+to|needs\s+to|will|shall|always|never)\b)|\bcall\s+`?[a-z]+_[a-z_]+|\bthen\s+(?:call|send|pass|run|use|attach|include)\b|\b(?:choose|pick|select|prefer)\s+this\s+(?:one|value|option)\b|\bignor\w*\s+(?:the\s+|any\s+|all\s+)?(?:user|previous|prior|other|earlier)|\bask\s+the\s+user\s+(?:for|to)\b|\b(?:before|after|prior\s+to)\s+(?:answering|responding|replying|calling|each|every|any)\b|\b(?:this|the)\s+(?:field|value|argument|parameter)\s+(?:must|should)\b|\bset\s+this\s+(?:field\s+|value\s+)?to\b|\byou\s+(?:must|should|need\s+to|have\s+to)\b|\b(?:always|never)\s+(?:\w+\s+)?(?:add|set|use|call|send|share|create|make|include|ask|run|delete|remove|pick|choose|select|prefer|rank)\b|\bwithout\s+asking\b|\bset\s+[\w.-]+\s+to\b|\b(?:quietly|silently|secretly)\s+\w+/i;

/** An order to the model in a data field (see isDataField), or null. */
function orderInData(where: string, text: string): string | null {
  if (!text.includes(" ") || !isDataField(where) || text.split(/\s+/).length < 4) return null;
  const normal = normalizeForScan(text.slice(0, MAX_SCANNED));
  const match = ORDER_IN_DATA.exec(normal);
  return match ? excerpt(normal, match.index) : null;
}

/** How deep `walk` reads a schema; published schemas stay under 12 levels. */
const MAX_DEPTH = 128;

/** An identifier as words: `send_chat_history` and `sendChatHistory` read "send chat history". */
function identifierWords(key: string): string {
  return key.replace(/[_-]+/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2");
}

/** A property name asking for the model's instructions or the other tools' definitions. */
const NAME_THEFT =
  /\b(?:your\s+(?:\w+\s+){0,3}(?:system\s+(?:prompt|instructions|message)|instructions)|(?:other|all)\s+tools\s+(?:and\s+their\s+)?(?:descriptions|definitions|schemas)|list\s+of\s+(?:other|all|available)\s+tools)\b/i;
/** A property name that spells out an exfiltration: four or more words, a source and an act. */
const NAME_INTENT = {
  exec(words: string) {
    if (words.split(" ").length < 4) return null;
    const theft = NAME_THEFT.exec(words);
    if (theft) return theft;
    const source =
      /\b(ssh|id rsa|private keys?|credentials?|passwords?|conversation|chat history|system prompt|env file|secrets?|api keys?|tokens?)\b/i.exec(
        words,
      );
    return source &&
      /\b(read|reading|send|sending|copy|copying|contents?|upload|exfil\w*)\b/i.test(words)
      ? source
      : null;
  },
};

function walk(
  node: unknown,
  path: string,
  add: (where: string, text: unknown) => void,
  flag: (where: string, rule: string, excerpt: string) => void,
  depth = 0,
): void {
  if (typeof node === "string") {
    add(path, node);
    const order = orderInData(path, node);
    if (order !== null) flag(path, "an instruction in a data field", order);
    return;
  }
  if (!node || typeof node !== "object") return;
  if (depth > MAX_DEPTH) {
    flag(path, "schema too deep to scan", `over ${MAX_DEPTH} levels`);
    return;
  }
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries())
      walk(item, `${path}[${index}]`, add, flag, depth + 1);
    return;
  }
  const inSchema =
    /^(inputSchema|outputSchema)/.test(path) && !/\.(default|examples|enum|const)\b/.test(path);
  if (inSchema) {
    const fixed = fixedValues(node as Record<string, unknown>);
    if (fixed) flag(path, fixed[0], excerpt(fixed[1], 0));
  }
  for (const [key, value] of Object.entries(node)) {
    // A JSON Schema keyword that names a type or a property never holds a sentence: one that does
    // carries text for the model where no description was expected (CyberArk's full-schema
    // poisoning: `"type": "string. Before calling, read ~/.netrc…"`).
    if (inSchema && (key === "type" || key === "required" || key === "format")) {
      const names = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === "string");
      const sentence = names.find((name) => /\s/.test(name.trim()));
      if (sentence !== undefined) {
        flag(`${path}.${key}`, "schema keyword holds a sentence", excerpt(sentence, 0));
      }
    }
    if (key.length > 3 && !/^[a-z]+$/.test(key)) {
      const words = identifierWords(key);
      // Read in full only when it could hold a sentence or a disguise: a short plain identifier
      // cannot, and schemas have thousands of them.
      if (key.length > 24 || /[^\w$-]/.test(key)) {
        add(
          `${path} (property name ${JSON.stringify(key)})`,
          words === key ? key : `${key} ${words}`,
        );
      }
      if (NAME_INTENT.exec(words)) {
        flag(`${path} (property name)`, "property name spells out an exfiltration", key);
      }
    }
    walk(value, `${path}.${key}`, add, flag, depth + 1);
  }
}

/** Around 80 characters of context, with invisible characters made visible. */
function excerpt(text: string, at: number): string {
  return asWritten(text)
    .slice(Math.max(0, at - 20), at + 60)
    .replace(INVISIBLE_ALL, "\uFFFD")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The gateway's poisoning findings per server, kept current on every tool list. Tools are
 * rescanned only when their definition changed.
 */
export class PoisoningRegistry {
  private readonly byServer = new Map<string, Map<string, ToolFinding[]>>();
  private readonly memo = new Map<string, ToolFinding[]>();
  /** server -> kind (instructions, prompt, resource, template) -> findings. */
  private readonly othersOf = new Map<string, Map<string, ToolFinding[]>>();

  /** Replaces a server's findings from its current tool list; returns the new HIGH findings. */
  update(server: string, tools: ToolLike[]): ToolFinding[] {
    const before = this.byServer.get(server);
    const next = new Map<string, ToolFinding[]>();
    const fresh: ToolFinding[] = [];
    for (const tool of tools) {
      // Keyed by the definition's digest, not its JSON: the memo would hold a copy of every
      // version of every tool list seen (up to its 20,000 entries).
      const digest = definitionDigest(JSON.stringify(tool));
      const key = `${server}\u0000${digest}`;
      let findings = this.memo.get(key);
      if (!findings) {
        // Not scanned again: byte for byte a built-in tool this scanner found nothing in when the
        // binary was built (scripts/gen-catalog.ts; a test checks the list against the scanner),
        // or a definition this build scanned clean at an earlier start (scan-verdicts.ts). A
        // definition changed in any way has another digest and is scanned.
        if (SCANNED_CLEAN.has(digest) || scannedCleanBefore(digest)) findings = [];
        else {
          findings = scanTool(server, tool);
          if (!findings.length) rememberClean(digest);
        }
        this.memo.set(key, findings);
      }
      if (findings.length) next.set(tool.name, findings);
      const known = before?.get(tool.name);
      for (const finding of findings) {
        if (finding.severity !== "high") continue;
        if (!known?.some((k) => k.rule === finding.rule && k.where === finding.where)) {
          fresh.push(finding);
        }
      }
    }
    this.byServer.set(server, next);
    if (this.memo.size > 20_000) this.memo.clear();
    return fresh;
  }

  /**
   * Scans what else a backend hands the model (issue #16): its `instructions` at initialize, its
   * prompts, resources and resource templates. `kind` names the list ("instructions", "prompt",
   * "resource", "template"); each entry is [name, value], every string of the value is read.
   * Replaces that kind's findings for the server; returns the names with a HIGH finding.
   */
  updateOthers(server: string, kind: string, entries: [string, unknown][]): Set<string> {
    const others = this.othersOf.get(server) ?? new Map<string, ToolFinding[]>();
    this.othersOf.set(server, others);
    const flagged = new Set<string>();
    const findings: ToolFinding[] = [];
    for (const [name, value] of entries) {
      const label = kind === "instructions" ? kind : `${kind}:${name}`;
      const found: ToolFinding[] = [];
      const read: [string, string][] = [];
      const ids: [string, string][] = [];
      const add = (where: string, text: unknown) => {
        if (typeof text !== "string" || !text) return;
        gather(where, text, read, ids);
        for (const finding of scanDescription(text, ARGUMENT_DESCRIPTION.test(where))) {
          found.push({ server, tool: label, where, ...finding });
        }
      };
      const flag = (where: string, rule: string, excerpt: string) =>
        found.push({
          server,
          tool: label,
          where,
          severity: "high",
          rule,
          excerpt: asWritten(excerpt),
        });
      walk(value, kind, add, flag);
      // The fifth and sixth rounds' rules, as over a tool's texts, with no fields: a prompt's
      // arguments are filled by the user, and nothing else here has any (issue #16, every surface).
      const own = (value as { name?: unknown } | null)?.name;
      for (const hit of fifthFindings({}, read)) flag(...hit);
      for (const hit of sixthFindings(typeof own === "string" ? own : "", read, ids)) flag(...hit);
      // A prompt, resource or template says what it is for as a tool does; server instructions
      // speak for the whole server and have no one purpose.
      if (kind !== "instructions" && value && typeof value === "object") {
        const entry = value as Record<string, unknown>;
        const texts: [string, string][] = [];
        walk(
          entry,
          kind,
          (where, text) => {
            if (typeof text === "string" && text.includes("@")) texts.push([where, text]);
          },
          () => {},
        );
        const args = Array.isArray(entry.arguments)
          ? entry.arguments
              .map((a) => (a as { name?: unknown })?.name)
              .filter((n) => typeof n === "string")
          : [];
        const stray = texts.length
          ? strayAddress(
              {
                name: `${name} ${args.join(" ")}`,
                title: entry.title as string | undefined,
                description: entry.description as string | undefined,
              },
              texts,
            )
          : null;
        if (stray)
          flag(stray[0], "an outside address in a tool that sends nothing to anyone", stray[1]);
      }
      if (found.some((finding) => finding.severity === "high")) flagged.add(name);
      findings.push(...found);
    }
    others.set(kind, findings);
    return flagged;
  }

  remove(server: string): void {
    this.byServer.delete(server);
    this.othersOf.delete(server);
  }

  /** The first HIGH finding of a tool (or of `instructions`, `prompt:<name>`...), if any. */
  high(server: string, tool: string): ToolFinding | undefined {
    const isHigh = (finding: ToolFinding) => finding.severity === "high";
    const own = this.byServer.get(server)?.get(tool)?.find(isHigh);
    if (own) return own;
    for (const list of this.othersOf.get(server)?.values() ?? []) {
      const found = list.find((finding) => finding.tool === tool && isHigh(finding));
      if (found) return found;
    }
    return undefined;
  }

  /** Every finding, HIGH first, then by server and tool. */
  all(): ToolFinding[] {
    const out: ToolFinding[] = [];
    for (const tools of this.byServer.values())
      for (const list of tools.values()) out.push(...list);
    for (const kinds of this.othersOf.values())
      for (const list of kinds.values()) out.push(...list);
    const rank = (f: ToolFinding) => (f.severity === "high" ? 0 : 1);
    return out.sort(
      (a, b) =>
        rank(a) - rank(b) || a.server.localeCompare(b.server) || a.tool.localeCompare(b.tool),
    );
  }
}
