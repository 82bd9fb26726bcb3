/**
 * Fifth round of issue #16: what is shown as an example rather than asked for, tuned on the fifth
 * attack set's dev half by class. `shownAsExample` rewrites a text before any rule reads it;
 * `excusedMove` lets the meaning rules pass over a sentence that moves nothing. Imports nothing,
 * so intent.ts can use it. Every pattern here is linear: gaps are bounded and never nested.
 */

const r = String.raw;
const rx = (source: string, flags = "i") => new RegExp(source, flags);

/**
 * Zero-width (non-)joiners between two letters of a script that spells with them (Persian,
 * Arabic, Urdu, the Indic scripts, Sinhala): ordinary orthography, not a hiding place. Dropped
 * before the invisible-character rule looks; between Latin letters they still count.
 */
const SCRIPT_LETTER = r`[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF\u0900-\u0DFF]`;
const SCRIPT_JOINER = rx(`(?<=${SCRIPT_LETTER})[\\u200C\\u200D](?=${SCRIPT_LETTER})`, "g");

/**
 * A chat template's special tokens named as what they are ("the <|im_start|> and <|im_end|>
 * markers", "tokens such as <|eot_id|>"): markup a tool counts or strips, not a fake turn. Only the
 * brackets go; whatever follows is still read by every rule.
 */
const SPECIAL_RUN = r`<\|[\w-]{1,30}\|>(?:(?:\s*,\s*|\s+(?:and|or)\s+|\s*\/\s*)<\|[\w-]{1,30}\|>){0,6}`;
const MARKUP_NAMES = r`markers?|tokens?|delimiters?|tags?|sentinels?|separators?`;
const SPECIAL_SHOWN = rx(
  `(?<=\\b(?:e\\.g\\.|such\\s+as|like|(?:${MARKUP_NAMES})(?:\\s+like)?)\\s{0,3}\\(?)${SPECIAL_RUN}|${SPECIAL_RUN}(?=\\s{1,3}(?:${MARKUP_NAMES})\\b)`,
  "gi",
);

/** A tool that rates or finds text (a classifier, a filter, a moderation or injection check). */
const DETECTOR =
  /\b(?:classif\w*|detect\w*|scores?|scoring|flags?|flagged|filters?|moderat\w*|screens?|scans?|spots?|catches)\b/i;
/**
 * A quoted example of what such a tool flags: 'text like "ignore previous instructions…" scores
 * high'. The quote is data the tool is shown working on; the words around it are still read.
 */
const QUOTED_EXAMPLE =
  /(?<=\b(?:for\s+example|e\.g\.|such\s+as|like|instance)[,:]?\s{1,3}(?:(?:text|input|strings?|phrases?|prompts?|messages?)\s+(?:like\s+|such\s+as\s+)?)?)"[^"\n]{3,200}"(?=\s+(?:is|are|gets?|scores?|would|will|returns?|should\s+be)\b|[,;)])/gi;

/**
 * `text` with what it shows rather than asks for made plain: joiners of scripts that spell with
 * them dropped, special tokens named as markup unbracketed, quoted examples in a detector's
 * description blanked (issue #16, fifth round; each class in test/security/fifth-round.test.ts).
 */
export function shownAsExample(text: string): string {
  let out = text;
  if (out.includes("\u200C") || out.includes("\u200D")) out = out.replace(SCRIPT_JOINER, "");
  if (out.includes("<|")) out = out.replace(SPECIAL_SHOWN, (m) => m.replace(/<\||\|>/g, " "));
  if (out.includes('"') && DETECTOR.test(out)) {
    out = out.replace(QUOTED_EXAMPLE, (m) => `"${"x".repeat(Math.max(1, m.length - 2))}"`);
  }
  return out;
}

/** A verb of moving data. */
const MOVE_VERB = r`includ\w*|sen[dt]\w*|past\w*|put\w*|pass\w*|shar\w*|forward\w*|post\w*|upload\w*|cop(?:y|ies|ied)|attach\w*|return\w*|log\w*|expos\w*|stor\w*|deliver\w*|leak\w*|reveal\w*`;
/** A value only an outsider brings: a link or an e-mail address. */
export const OUTSIDE = /https?:\/\/|[\w.+-]@[\w-]+\.[a-z]{2,}/i;
/** Moves said not to happen ("is never included", "do not ask the user to paste it"). */
const NEGATED_MOVE = rx(
  `\\b(?:never|not|n't|no\\s+longer)\\s+(?:(?:be|been|ever|the\\s+user|user|them|anyone|to|ask|asked)\\s+){0,4}(?:${MOVE_VERB})\\b`,
  "gi",
);
/** A move described, not ordered: "is delivered by email only", "are sent to the owner". */
const STATED_MOVE = rx(`\\b(?:is|are|was|were|gets?)\\s+(?:\\w+\\s+)?(?:${MOVE_VERB})\\b`, "gi");
const ANY_MOVE = rx(`\\b(?:${MOVE_VERB})\\b`, "gi");
/** The user asked for this very act: "If the user asks to include notes from the conversation". */
const USER_ASKED_TO =
  /^\s*(?:only\s+)?(?:if|when|whenever)\s+(?:the\s+)?user\s+(?:explicitly\s+)?(?:asks|requests|wants|chooses|decides)\s+(?:you\s+)?to\s+\w+/i;
const EXTRA = /\b(?:also|as\s+well|in\s+addition|additionally|too|every|all|whole|entire|full)\b/i;

/**
 * A sentence the meaning rules read as private data on the move that moves nothing: every verb of
 * moving in it is negated or a statement about the tool ("The reset token is delivered by email
 * only and is never included in the result"), or the user asked for this very act and nothing is
 * added to it ("If the user asks to include notes from the conversation, put only that part in
 * `body`"). Neither holds with an outside link or address in the sentence.
 */
export function excusedMove(sentence: string): boolean {
  if (OUTSIDE.test(sentence) || EXTRA.test(sentence)) return false;
  if (USER_ASKED_TO.test(sentence)) return true;
  const excused = new Set<number>();
  for (const pattern of [NEGATED_MOVE, STATED_MOVE]) {
    for (const m of sentence.matchAll(pattern)) {
      const verb = m[0].search(/\S+$/);
      excused.add(m.index + verb);
    }
  }
  if (!excused.size) return false;
  for (const m of sentence.matchAll(ANY_MOVE)) if (!excused.has(m.index)) return false;
  return true;
}

/**
 * A safety rule written for the model, in the words an attack uses for the opposite: "Never
 * delete files without the user's approval", "Не удаляйте файлы без подтверждения". The act is
 * negated and "without" follows it in the same clause, so the clause forbids what "proceed
 * without approval" orders. Only destructive or outward acts, the negation right before the act
 * (at most an adverb between) or, in German, Dutch and French, right after it; gaps bounded.
 */
const GUARDED_ACT = r`(?:delet|remov|eras|wip|drop|purg|overwrit|execut|run|writ|push|deploy|pay|transfer|send|install|publish|merg|modif|chang|mov|elimin|borr|ejecut|envi|apag|exclu|esegu|cancell|invi|удал|выполн|запуск|отправ|измен|перемещ|перезапис)[\w\u0400-\u04FF]*`;
const ADVERB = r`(?:(?:ever|permanently|automatically|directly|just|actually|nunca|mai|jamais)\s+)?`;
const WITHOUT = r`[^.,;:!?\n]{0,60}?(?<![\w\u0400-\u04FF])(?:without|sin|sem|senza|sans|ohne|zonder|без)(?![\w\u0400-\u04FF])`;
const GUARDED = rx(
  [
    r`(?:\b(?:never|don'?t|do\s+not|must\s+not|should\s+not|must\s+never|no|nunca|n[aã]o|non)|(?<![\u0400-\u04FF])(?:не|никогда\s+не))\s+` +
      ADVERB +
      GUARDED_ACT +
      WITHOUT,
    r`\b(?:l[oö]sch|entfern|f[uü]hr|schick|[uü]berweis|verwijder|verstuur)\w*\s+(?:Sie\s+|u\s+)?(?:\w+\s+)?(?:keine\w*|nie|niemals|nicht|nooit|geen|niet)\b` +
      WITHOUT,
    r`\bne\s+(?:l[ae]s?\s+)?(?:supprim|ex[eé]cut|envo|modifi|d[eé]plac|effac)\w*\s+(?:jamais|pas)\b` +
      WITHOUT,
  ].join("|"),
  "gi",
);

/**
 * `sentence` with each guarded clause's words up to its "without" blanked: what is left is read
 * by the consent and authority rules, so "Never delete files without approval, then proceed
 * without the user's approval" still orders the second part.
 */
export function unguarded(sentence: string): string {
  const out = sentence.replace(GUARDED, " ");
  const waived = out.replace(READS_WAIVED, " ");
  if (waived === out) return out;
  // A waiver for reads that also names a write or private data is not one for reads only.
  return TOUCHES.test(waived.replace(KEEPS_ASKING, " ")) ? out : waived;
}

/**
 * Confirmation waived for reads only, as database and browser tools say it: "You do not need to
 * ask for confirmation before a SELECT; ask before anything that writes".
 */
const READS_WAIVED = rx(
  r`\b(?:no\s+longer|don'?t|do\s+not)\s+need\s+to\s+(?:ask|confirm|check)\b(?:\s+\w+){0,3}?\s+(?:before|for|when)\s+(?:running\s+|doing\s+)?(?:an?\s+|any\s+)?(?:SELECT|read-only|reads?|reading|listing|lookups?|searche?s?|GET)\b(?:\s+(?:quer(?:y|ies)|statements?|calls?|operations?|requests?))?`,
  "gi",
);
/** A clause that keeps the confirmation: "ask before anything that writes". */
const KEEPS_ASKING = rx(
  r`\b(?:but\s+|still\s+|always\s+)?(?:ask|confirm)\s+(?:the\s+user\s+)?(?:first\s+)?before\s+[^.;!?\n]*`,
  "gi",
);
/** What a waiver for reads must not reach: a write, a payment, a message, private data. */
const TOUCHES =
  /\b(?:insert\w*|updat\w*|delet\w*|drop\w*|alter\w*|truncat\w*|grant\w*|writ\w*|remov\w*|eras\w*|pay\w*|send\w*|transfer\w*|push\w*|deploy\w*|execut\w*|install\w*|modif\w*|chang\w*|creat\w*|post\w*|upload\w*|credential\w*|secrets?|tokens?|passwords?|keys?|cookies?|history|conversation|private)\b|~\/|\.(?:ssh|env|aws)\b/i;
