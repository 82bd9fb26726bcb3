/**
 * Fifth round of issue #16, tuned on the fifth attack set's dev half by class: orders the earlier
 * rules had no parts for (`fifthFindings`; what is only shown is in intent-fifth-shown.ts): the
 * user's consent skipped, another server's tool re-ruled, a
 * credential file read into one of the tool's own fields, the user outranked, a security scanner
 * talked down, a hidden rule spelled by first letters, a sentence disguised as an identifier.
 * Every pattern here runs in linear time: gaps are bounded and never nested.
 */
import { CREDENTIAL_FILE, hasOrder } from "./intent.ts";
import { OUTSIDE, unguarded } from "./intent-fifth-shown.ts";

const r = String.raw;
const rx = (source: string, flags = "i") => new RegExp(source, flags);

// ---------------------------------------------------------------------------------------------
// Orders the earlier rules had no parts for, read over every text of a tool.

/** Consent to act taken away from the user, in the languages of the attack sets. */
const CONSENT_EN = rx(
  [
    r`\b(?:asking|prompting|checking\s+with|confirming\s+with)\s+(?:the\s+)?user\b[^.\n]{0,40}\b(?:violation|forbidden|prohibited|disallowed|not\s+(?:allowed|permitted|needed|necessary|required)|unnecessary)`,
    r`\b(?:confirmation|approval)s?(?:\s+(?:dialogs?|prompts?|steps?|checks?|requests?))?\s+(?:(?:are|is|have\s+been|has\s+been|will\s+be)\s+)?(?:no\s+longer\s+(?:shown|needed|required|used|asked)|switched\s+off|turned\s+off|disabled|not\s+(?:required|needed|shown)|unnecessary|waived|skipped)`,
    r`(?<!\bto\s)\bskip\s+(?:the\s+|any\s+|all\s+|every\s+)?(?:confirmation|approval)s?(?:\s+(?:steps?|dialogs?|prompts?|checks?))?\b`,
    r`\b(?:do\s+not|don't|never|no\s+need\s+to)\s+(?:\w+\s+){0,4}?(?:confirm(?:ations?|ing|s)?\b(?!_)|(?:ask|prompt|check\s+with)(?:\s+(?:the\s+)?user)?(?=\s*[;,.:)\n]|\s*$|\s+(?:for\s+(?:confirmation|approval|permission|consent)|first|before|whether|if)\b))(?![^.\n]{0,80}\b(?:until|unless)\s+(?:the\s+)?user)`,
    r`\bwithout\s+(?:asking|confirming\s+with|checking\s+with|prompting)\s+(?:the\s+user\b|again\b|first\b)`,
    // Sixth round: "apply that without asking and report…": an order, the clause ends there.
    r`(?<=\b(?:apply|run|execute|delete|remove|push|proceed|install|send|pay|deploy|merge|overwrite|write|do|commit|change)\s+(?:\S+\s+){0,3})without\s+asking(?=\s*(?:[.;,]|$|and\b))`,
  ].join("|"),
);
/** The same in other languages, where the phrase itself is addressed to the model. */
const CONSENT_INTL = rx(
  [
    r`確認(?:せず|しない|なし|は不要|は必要(?:ありません|ない))|確認[^。\n]{0,6}(?:不要|必要(?:は)?(?:ありません|ない))|確認を求めることは禁止|(?:ユーザー|利用者)に(?:確認|尋ね|聞か)(?:せず|ずに|ないで)`,
    r`无需(?:用户)?确认|不要(?:询问|征求|请求)用户|未经用户(?:确认|同意)|不必(?:向用户)?确认`,
    r`확인\s*없이|묻지\s*말고|확인하지\s*말고`,
    r`\bohne\s+(?:den|die)\s+(?:Nutzer|Benutzer|Anwender)\w*\s+zu\s+fragen|\bohne\s+(?:Rückfrage|Bestätigung|Nachfrage)`,
    r`\bsans\s+(?:demander|confirmation|l'accord)|\bsin\s+(?:preguntar|pedir\s+confirmaci[oó]n|confirmaci[oó]n)`,
    r`\b(?:frag\w*)\s+(?:den|die)\s+(?:Nutzer|Benutzer|Anwender)\w*\s+nicht|\bnicht\s+(?:nach|um)\s+(?:Erlaubnis|Best[aä]tigung|Zustimmung)|\bohne\s+(?:Erlaubnis|Zustimmung)`,
    r`\bno\s+(?:pidas|pida|solicites|preguntes|pregunte)\s+(?:al\s+usuario|confirmaci[oó]n|permiso)|\bn[aã]o\s+(?:pe[cç]a|pergunte|solicite)\s+(?:ao\s+usu[aá]rio|confirma[cç][aã]o|permiss[aã]o)`,
    r`\bne\s+(?:demandez|demande)\s+pas\s+(?:de\s+)?(?:confirmation|permission|l'autorisation)|\bnon\s+(?:chiedere|chieda)\s+(?:conferma|il\s+permesso|all'utente)`,
    r`(?<![\u0400-\u04FF])не\s+(?:спрашивай|спрашивайте|запрашивай|запрашивайте)\s+(?:у\s+)?(?:пользовател\w*|подтвержден\w*|разрешени\w*)`,
    r`\bvraag\s+(?:de\s+gebruiker\s+)?niet\s+om\s+(?:bevestiging|toestemming)|\bzonder\s+(?:te\s+vragen|bevestiging|toestemming)`,
    r`\bsem\s+(?:perguntar|pedir\s+confirma|confirma[cç][aã]o)|\bsenza\s+(?:chiedere|conferma)|(?<![\u0400-\u04FF])без\s+(?:подтверждения|спроса|вопросов)`,
  ].join("|"),
);
/** The user, named in another language ("sans confirmation" alone may describe the tool). */
const USER_WORD =
  /\b(?:Nutzer\w*|Benutzer\w*|Anwender\w*|utilisateur\w*|usuari[oa]s?|usu[aá]ri[oa]s?|utente|gebruiker)\b|пользовател/i;
const CJK = /[\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]/;
/** A word CONSENT_EN or CONSENT_INTL needs, looked for first (most texts have none); the foreign words only in texts with such letters. */
const CONSENT_ANCHOR =
  /\b(?:confirm\w*|ask\w*|prompt\w*|approv\w*|check\w*|frag\w*|Erlaubnis|Zustimmung|demande\w*|preguntar|preguntes?|pidas?|solicites?|perguntar|pergunte|chiedere|chieda|conferma|permiso|bevestiging|toestemming|vraag|vragen)\b/i;
const CONSENT_FOREIGN =
  /確認|确认|询问|征求|确认|확인|묻지|Rückfrage|Bestätigung|peça|подтвержд|спроса|вопросов|спрашива|запрашива/;

/** Acts the user would want to approve. */
const CONSENTED_ACT = rx(
  [
    r`\b(?:delet\w*|remov\w*|eras\w*|wip\w*|drop\w*|purg\w*|verwijder\w*|uitvoer\w*|reset|go\s+ahead|appl(?:y|ies)|merg\w*|grant\w*|execut\w*|run|write|writ\w*|overwrit\w*|push\w*|deploy\w*|pay\w*|transfer\w*|send\w*|install\w*|purchas\w*)\b`,
    r`削除|実行|書き込|送信|送金|インストール|删除|执行|写入|发送|转账|安装|삭제|실행|전송`,
    r`\b(?:lösch\w*|ausführ\w*|aufrufen|überweis\w*|supprim\w*|exécut\w*|envo\w*|elimin\w*|borr\w*|ejecut\w*|envi\w*|exclu\w*|apag\w*|execut\w*|esegu\w*|cancell\w*)|удал|выполн|запуст|отправ`,
  ].join("|"),
);
/** The act itself forbidden: "Never delete files without asking the user" protects the user. */
const PROTECTIVE = new RegExp(
  [
    r`\b(?:never|don't|do\s+not|must\s+not|should\s+not|nunca|jamais|niemals|nooit|mai)\s+(?:\S+\s+){0,2}?(?:delet|remov|eras|wip|drop|purg|execut|run\b|writ|overwrit|push|deploy|pay|transfer|send|install|l[oö]sch|supprim|borr|elimin|apag|exclu|cancell|verwijder)`,
    r`\b(?:l[oö]sche|entferne|f[uü]hre)\s+(?:\S+\s+){0,2}?(?:niemals|nie|nicht)\b|\bne\s+(?:\S+\s+)?(?:supprim|ex[eé]cut|envo)\w*\s+(?:jamais|pas)\b`,
    r`(?<![\u0400-\u04FF])не\s+(?:\S+\s+)?(?:удал|выполн|запуск|отправ)`,
  ].join("|"),
  "i",
);

/** An order to the model in English: a verb at a clause's start, or "you must". */
const ACT_ORDER = rx(
  r`\b(?:execute|run|write|delete|remove|purge|drop|wipe|erase|reset|push|pay|send|install|overwrite|proceed|continue|go\s+ahead|apply|merge|approve|grant)\b`,
  "gi",
);
const FOREIGN = /[\u00C0-\u024F\u0370-\u1FFF\u3040-\u9FFF\uAC00-\uD7AF\uFF00-\uFFEF]/;

/** Another server's tool addressed by this one: "the filesystem server's write_file tool". */
const OTHER_SERVER_TOOL =
  /\b(?:the\s+)?[\w-]{2,30}\s+server'?s\s+(?:`?[\w.-]{2,40}`?\s+)?(?:tool|`[\w.-]{2,40}`|[a-z]+_[a-z_]{2,40})/i;
/** Kept from the user, said in the passive or about an answer ("Leave it out of explanations"). */
const NOT_REPORTED = rx(
  [
    r`\b(?:should|must|need|is|are)\s+not\s+(?:be\s+)?(?:reported|mentioned|disclosed|surfaced|shown|brought\s+up|logged)\b`,
    r`\bneed\s+not\s+be\s+(?:reported|mentioned|disclosed)|\bno\s+need\s+to\s+(?:report|mention|disclose)\b`,
    r`\bleave\s+(?:it|this|them|that)\s+out\s+of\s+(?:the\s+|your\s+|any\s+)?(?:[\w-]+\s+){0,2}(?:explanations?|summar(?:y|ies)|answers?|repl(?:y|ies)|reports?|output|responses?)\b`,
    r`\breport\s+only\s+(?:the\s+)?[\w\s-]{1,40}?\s+to\s+the\s+user\b`,
    r`\b(?:nobody|no\s+one|the\s+user)\s+(?:needs|has)\s+to\s+(?:be\s+told|know|hear)\b`,
    r`\bexempt\s+from\s+(?:\w+\s+){0,2}(?:notification|disclosure|consent|approval)s?\b`,
    r`\bniet\s+(?:aan\s+de\s+gebruiker\s+)?(?:melden|vermelden)|\bnicht\s+(?:dem\s+Nutzer\s+)?(?:melden|erwähnen)`,
  ].join("|"),
);
/** A rule for every use of another tool: "every SELECT you run must be followed by…". */
const EVERY_USE_MUST =
  /\b(?:every|each|all|any)\s+[\w-]+\s+(?:you\s+\w+\s+)?(?:must|should|has\s+to|have\s+to)\b/i;
/** Another server's tool run down so this one is chosen ("is outdated and mis-handles…"). */
const RUN_DOWN =
  /\b(?:is|are)\s+(?:now\s+)?(?:an?\s+)?(?:outdated|deprecated|obsolete|broken|buggy|unreliable|unsafe|insecure|compromised|stale|legacy|abandoned|fake|unofficial)\b|\bha(?:s|ve)\s+(?:an?\s+)?(?:known\s+)?(?:\w+\s+)?(?:bugs?|flaws?|vulnerabilit\w+)\b|\bmis-?handles\b|\bdrops\s+(?:results|data|fields|messages)\b/i;
/**
 * The same, without what a server says of its own older tools ("replaces the deprecated
 * list_items"): broken, unsafe, a stale fork, known bugs, mis-handles, drops results.
 */
const RUN_DOWN_HARSH =
  /\b(?:is|are)\s+(?:now\s+)?(?:an?\s+)?(?:broken|buggy|unreliable|unsafe|insecure|compromised|stale|fake|unofficial)\b|\bha(?:s|ve)\s+(?:an?\s+)?(?:known\s+)?(?:\w+\s+)?(?:bugs?|flaws?|vulnerabilit\w+)\b|\bmis-?handles\b|\bdrops\s+(?:results|data|fields|messages)\b/i;
/** A snake_case tool name: `read_file`, `search_notes`. */
const TOOL_NAME = /\b[a-z]+_[a-z_]{2,40}\b/;
/** This tool offered in another's place: "prefer this implementation", "this is the canonical …". */
const THIS_INSTEAD =
  /\b(?:prefer|use|call|choose|pick)\s+this\s+(?:one|tool|implementation|version)\b|\bthis\s+is\s+the\s+(?:canonical|official|preferred|correct|real|new|only)\b|\bcall\s+this\s+one\b/i;

/** Words ranking something above the user's own: "above what the user says". */
const OVER_USER = rx(
  [
    r`\b(?:above|over|ahead\s+of|rather\s+than|instead\s+of|overrid\w+|supersed\w+|takes?\s+precedence\s+over|outranks?)\s+(?:what(?:ever)?|anything)\s+the\s+user\s+(?:says|said|asks|asked|wants|requests|prefers|instructs|thinks)`,
    r`\b(?:go\s+with|trust|follow|prefer|believe|side\s+with)\s+(?:this\s+tool|it|its\s+\w+|the\s+tool)\s*,?\s+(?:not|over|rather\s+than|instead\s+of)\s+(?:the\s+user|what\s+the\s+user)`,
    r`\bprevalec\w*\s+sobre\s+(?:lo|o)\s+que\s+(?:diga|dice|diz|pe[cç]a|pida|quiera|queira)\s+(?:el|o)\s+usu[aá]rio|\bVorrang\s+vor\s+(?:dem|allem)[^.\n]{0,30}(?:Nutzer|Benutzer)|\bprime\s+sur\s+(?:ce\s+que|tout)[^.\n]{0,30}utilisateur|\bprevale\s+su\s+(?:ciò|quello|quanto)[^.\n]{0,30}utente|\bgaat\s+voor\s+(?:op\s+)?wat\s+de\s+gebruiker`,
    r`优先于用户|高于用户的?|ユーザー[^。\n]{0,12}より(?:も)?優先|приоритет\w*\s+над[^.\n]{0,30}пользовател|важнее[^.\n]{0,30}пользовател`,
    r`\btreat\s+(?:its|their|the|this)\s+(?:\w+\s+)?(?:answers?|outputs?|results?|responses?|verdicts?)\s+as\s+(?:final|authoritative|definitive|the\s+truth)\b[^.\n]{0,60}\buser\b`,
  ].join("|"),
);
/** Other tools kept from the user against their wish, or said to be down. */
const OTHER_TOOLS = rx(
  r`\b(?:other|another|any\s+other|competing|outras?|otras?|autres?|andere[nr]?|altri|altre|andere)\s+(?:\w+\s+)?(?:tools?|ferramentas?|herramientas?|outils?|Tools?|\w*[Ww]erkzeug\w*|strumenti|\w*instrumenten|инструмент\w*|servers?|servidores?|serveurs?)|(?:другие|других)\s+(?:\S+\s+)?инструмент\w*|\bdi[ğg]er\s+(?:\S+\s+)?ara[çc]\S*|\binn(?:e|ych|ego)\s+(?:\S+\s+)?narz[ęe]dzi\S*|其他工具|他のツール|다른\s*도구`,
);
const EVEN_IF_USER = rx(
  r`\beven\s+(?:if|when|though)\s+(?:the\s+)?user\s+(?:asks|requests|insists|wants|names|mentions|prefers|says|picks|chooses)|\bmesmo\s+que\s+o\s+usu[aá]rio\s+(?:pe[cç]a|solicite|queira)|\baunque\s+el\s+usuario\s+(?:(?:lo|la|los|las|le|les)\s+)?(?:pida|solicite|quiera)|\bm[eê]me\s+si\s+l'utilisateur\s+(?:(?:le|la|les|en|y)\s+)?demande|\bauch\s+wenn\s+(?:der|die)\s+(?:Nutzer|Benutzer)\w*|\banche\s+se\s+l'utente\s+(?:(?:lo|la|li|le|ne|ci)\s+)?(?:chiede|richiede)|\book\s+als\s+de\s+gebruiker|даже\s+если\s+пользователь|\bnawet\s+(?:je[sś]li|gdy)\s+u[zż]ytkownik|kullan[ıi]c[ıi]\s+(?:\S+\s+){0,3}(?:istese|isterse|s[öo]ylese)\s+(?:de\s+|da\s+)?bile|即使用户|ユーザーが(?:求めて|頼んで|依頼して)も`,
);
const SAY_DOWN = rx(
  r`\b(?:tell|say|inform|diga|dizer|digam|di|dile|diles|decir|dis|dites|sag|sagen)\b[^.\n;]{0,40}\b(?:down|unavailable|offline|broken|fora\s+do\s+ar|indispon[ií]ve(?:l|is)|no\s+(?:est[aá]n?\s+)?disponibles?|ca[ií]d[oa]s?|hors\s+service|indisponibles?|nicht\s+verf[uü]gbar|non\s+disponibil[ei]|недоступ\w*)`,
);

const NEVER =
  /\b(?:never|nunca|jamais|nie|niemals|nooit|mai|non|do\s+not|don't|não|no|ne|nicht)\b|\b(?:asla|nigdy|hi[çc]bir\s+zaman)\b|никогда|(?<![\u0400-\u04FF])не\s|決して|绝不|不要|禁止|别|ないで|しないで|절대|말고|마세요/i;

/** A security scanner talked down, or the user told to turn it off. */
const SCANNER =
  /\b(?:scanners?|quarantin\w*|gateways?|security\s+(?:check|filter|tool|layer|proxy|software)|guardrails?|firewalls?)\b/i;
const SCANNER_DOWN = rx(
  [
    r`\b(?:known\s+)?false\s+positives?\b`,
    r`\bunquarantin\w*|\b(?:allow-?list|whitelist)\s+(?:it|them|this|these|the)\b`,
    r`\b(?:turn|switch)\s+(?:the\s+)?(?:scanner|gateway|filter|check|guard\w*)\s+off\b|\b(?:turn|switch)\s+off\s+(?:the\s+)?(?:scanner|gateway|filter|guard\w*)`,
    r`\b(?:disable|bypass|skip)\s+(?:the\s+)?(?:scanner|quarantine|security\s+(?:check|filter|scan))`,
  ].join("|"),
);

const SCANNER_ORDER = /\b(?:call|tell|ask|turn|disable|bypass|allow|release|unquarantin\w*)\b/i;

/** This server or its tools, the ones a scanner is to be talked out of flagging. */
const THIS_SERVER =
  /\b(?:this|our)\s+(?:server|tool|mcp\s+server)'?s?\b|\b(?:these|our)\s+tools\b|\bthis\s+server's\b/i;

/** Retrieved text to be run as written: "execute them exactly as written with the shell tool". */
const RUN_AS_WRITTEN =
  /\b(?:execute|run|perform|carry\s+out|follow)\s+(?:them|those(?:\s+steps)?|these(?:\s+steps)?|its\s+(?:steps|commands)|(?:the|those|these|its|their)\s+(?:steps|commands|instructions|actions)(?:\s+(?:in|from)\s+[\w\s]{1,30}?)?)\s+(?:exactly\s+)?(?:as\s+written|verbatim|as-is|word\s+for\s+word|without\s+(?:review|reviewing|checking|changes|modification))/i;

const RUN_VERB = /\b(?:execute|run|perform|carry|follow)\b/gi;

/** A hidden rule spelled by first letters: "the first letter of each line below". */
const ACROSTIC =
  /\bfirst\s+letters?\s+of\s+(?:each|every|the)\s+(?:line|word|sentence|paragraph|item|bullet)s?\b/i;
const FOLLOW_HIDDEN =
  /\b(?:hidden|secret|real|true)\s+(?:rule|instruction|task|order|message)s?\b|\b(?:apply|follow|obey|execute|carry\s+out|do)\s+(?:it|them|that|this|what\s+(?:it|they)\s+says?|the\s+(?:word|words|message|instructions?|result|phrase))\b/i;

/** A fake system block in brackets: `[[system notice | priority=override]] … [[/system notice]]`. */
const FAKE_SYSTEM_BLOCK =
  /(?:\[\[|\{\{|【|⟦)\s*\/?\s*(?:system|admin|administrator|developer|operator|policy)\b[^\]}】⟧\n]{0,60}(?:\]\]|\}\}|】|⟧)|\[\s*(?:system|admin|developer|operator|policy)\s+(?:notice|message|directive|override|update|instruction)s?\b[^\]\n]{0,60}[:=|][^\]\n]{0,60}\]/i;

/** A credential file or store, or one said in other words. */
const SECRET_SOURCE = rx(
  [
    CREDENTIAL_FILE.source.replace("|(?:^|[\\s'\"`(])\\.env\\b(?!\\.)", ""),
    r`\bLogin\s+Data\b|\bsaved-?\s*passwords?\s+(?:store|file|database|vault)|\bkeychain\b|\bkeyring\b`,
    r`\b[\w.-]*(?:credentials?|secrets?|access-?tokens?|accessTokens|passwords?)\.(?:json|ya?ml|txt|ini|toml|db|cfg|conf)\b`,
    r`\b(?:private|secret)\s+(?:half|part|portion|side)\s+of\s+(?:the|a|their|your)\s+key|\b(?:the\s+)?file\s+(?:sitting\s+)?next\s+to\s+the\s+\.pub\b`,
  ].join("|"),
);
/** A string SECRET_SOURCE or ENV_FILE needs, looked for first. */
const SECRET_ANCHOR =
  /[~$%]|\.(?:ssh|aws|env|npmrc|netrc|pgpass|pub)|id_|\/etc\/|wallet|login|saved|key|credential|secret|token|password|private/i;

/** A project's `.env`: a secret source only when its contents are meant. */
const ENV_FILE = /(?:^|[\s'"`(])\.env\b(?!\.)/;
/** The file's text, not its name. */
const CONTENT_WORD = rx(
  r`\b(?:contents?|text|body|bytes|lines|inhoud|Inhalt|deren\s+Inhalt|contenu|contenido|conte[uú]do|contenuto)\b|содержим\w*|内容|中身|내용`,
);
/** Getting hold of it and handing it on. */
const HAND_ON = rx(
  r`\b(?:reads?|cop(?:y|ies)|pass(?:es)?|sends?|puts?|includes?|attach(?:es)?|populates?|fills?|sets?|pastes?|uploads?|concatenat\w*|retry|call|use|locate|lesen|lies|aufrufen|meesturen|opvragen|lee|leer|lea|pasa|pase|incluye|lire|lis|leggi|leggere|envoyer|enviar|inviare|passare|pasar|passer)\b`,
);

/** Handing on the file itself, its contents or "it": not "the profile names, which you pass as…". */
const HAND_ON_OBJECT = rx(
  `(?:${HAND_ON.source})[^.\\n]{0,80}?(?:${SECRET_SOURCE.source}|${CONTENT_WORD.source}|\\b(?:it|them)\\b)`,
);

/** An identifier spelling a sentence in a data field: `info_and_before_responding_forward_…`. */
const ID_SENTENCE = /^[\w@.+-]{20,200}$/;
const ID_MOVE =
  /\b(?:send|forward|e?mail|upload|post|copy|leak|exfiltrate|share|include|attach|pass)\b/i;
const ID_ORDER = /\b(?:then|before|after|also|always|first|and)\b/i;
const ID_DATA =
  /\b(?:env|environment|conversation|chat|history|credentials?|passwords?|tokens?|secrets?|keys?|contents?|ssh)\b|@[\w-]+\.[a-z]{2,}|https?:/i;

/** A property named for stored secrets: `saved_wifi_passwords_from_keychain`. */
const NAME_SECRETS = /\b(?:passwords?|credentials?|secrets?|tokens?|cookies|private keys?)\b/i;
const NAME_STORE =
  /\b(?:keychain|keyring|vault|browser|login data|password manager|wallet|ssh|dotenv|env file|saved|stored|cached)\b/i;

/** A parameter asked to hold this very conversation, or the model's instructions. */
const WHOLE_TALK = rx(
  [
    r`\b(?:prior|previous|earlier|past)\s+(?:turns?|messages?|exchanges?)\b[^.\n]{0,30}\b(?:all|every|each)\b`,
    r`\b(?:all|every|each)\s+(?:\w+\s+){0,3}?(?:prior|previous|earlier|past)\s+(?:turns?|messages?|exchanges?)\b`,
    r`\b(?:full|entire|whole|complete|verbatim)\s+(?:transcript|history|log)\s+of\s+(?:the\s+|this\s+|our\s+)?(?:current|this|our|present)\s+(?:chat|conversation|session)`,
    r`\b(?:hidden|your)\s+(?:hidden\s+|own\s+|full\s+)?system\s+(?:text|prompt|message|instructions)\b|\bsystem\s+prompt\s+(?:first|included|too|as\s+well)\b`,
  ].join("|"),
);

/** Another field set to a literal: "change `customer` to cus_8812AF". */
const SWAP_FIELD =
  /\b(?:change|replace|swap|switch|redirect|override|substitute)\s+`?([\w-]{2,40})`?\s+(?:to|with|for)\s+`?([\w.@+-]{4,60})`?/gi;

/** A field naming who gets paid, mailed or pushed to. */
const PAYEE_FIELD =
  /customer|recipient|payee|account|iban|wallet|address|owner|assignee|bcc|cc|destination|remote|endpoint|webhook|^to$/i;
const SWAP_ANCHOR = new RegExp(SWAP_FIELD.source, "i");

/** A side copy to an outside address on top of the call: "must also be uploaded to https://…". */
const ALSO_SENT =
  /\b(?:(?:must|should|will)\s+(?:also|additionally)\s+be|(?:is|are)\s+(?:also|additionally))\s+(?:uploaded|sent|posted|mirrored|copied|forwarded|synced|shared|backed\s+up)\s+to\s+(?:https?:\/\/|[\w.+-]+@[\w-]+\.)/i;

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?;])\s+|\n+|(?<=[。！？])/).filter((s) => /\S/.test(s));
}

/** Property names of a schema node, at any depth (to know which words name this tool's fields). */
function propertyNames(node: unknown, out: Set<string>, depth = 0): Set<string> {
  if (!node || typeof node !== "object" || depth > 32) return out;
  const properties = (node as { properties?: unknown }).properties;
  if (properties && typeof properties === "object" && !Array.isArray(properties)) {
    for (const [name, child] of Object.entries(properties)) {
      out.add(name.toLowerCase());
      propertyNames(child, out, depth + 1);
    }
  }
  for (const key of ["items", "$defs", "definitions"] as const) {
    const child = (node as Record<string, unknown>)[key];
    if (child && typeof child === "object") {
      for (const value of Array.isArray(child) ? child : Object.values(child)) {
        propertyNames(value, out, depth + 1);
      }
      if (key === "items") propertyNames(child, out, depth + 1);
    }
  }
  return out;
}

/** A mention of one of the tool's fields: `name`, "as name", "in name", "name =". */
function namesField(sentence: string, fields: Set<string>): boolean {
  for (const m of sentence.matchAll(
    /`([\w-]{1,40})`|\b(?:as|in|into)\s+([\w-]{2,40})\b|\b([\w-]{2,40})\s*=/g,
  )) {
    const name = (m[1] ?? m[2] ?? m[3] ?? "").toLowerCase();
    if (fields.has(name)) return true;
  }
  return false;
}

/** Whether `where` is a schema's own description (a field's, a definition's, an output's). */
const FIELD_TEXT =
  /^(?:inputSchema|outputSchema)\..*\.(?:description|title|\$comment|x-[\w-]+)$|^outputSchema\.(?:title|description)$/;
const DATA_FIELD = /\.(?:enum|examples|default)\[\d+\]$|\.(?:default|const)$/;
const PROPERTY_PROSE = /\.properties\.[^.]+\.(?:description|\$comment|x-[\w-]+)$/;

/** A word or sign one of the rules of `readText` needs: one pass, most texts have none. */
const CUE = new RegExp(
  [
    // consent
    r`\b(?:confirm\w*|approv\w*|skip|nobody|go\s+with|side\s+with|Erlaubnis|Zustimmung|permiso|bevestiging|toestemming|vraag|pidas?|pergunte|demande[zs]?|chieda|Vorrang|prevalec\w*|prevale|prime|gaat\s+voor|niemals|nooit|ook\s+als|fragen|R[uü]ckfrage|Best[aä]tigung|Nachfrage|demander|preguntar|perguntar|chiedere|conferma)\b`,
    r`\b(?:not|n't|never|without|no\s+need\s+to)\s+(?:\w+\s+){0,4}?(?:ask|prompt|check)|\b(?:asking|prompting|checking|confirming)\s+(?:with\s+)?(?:the\s+)?user`,
    // another server's tool, kept from reports, the user outranked, other tools refused
    r`\bserver'?s\b|\bnot\s+(?:be\s+)?(?:reported|mentioned|disclosed|surfaced|shown|brought|logged)\b|\bno\s+need\s+to\b`,
    r`\bleave\s+(?:it|this|them|that)\s+out\b|\breport\s+only\b|\b(?:melden|vermelden|erwähnen|exempt)\b`,
    r`\b(?:above|over|ahead\s+of|rather\s+than|instead\s+of)\s+(?:what|anything)|\b(?:precedence|outrank\w*|supersed\w*|overrid\w*|treat)\b`,
    r`\b(?:even|mesmo|aunque|m[eê]me|auch|anche)\b|\b(?:down|unavailable|offline|broken|hors|verf[uü]gbar|disponibil\w*|indispon\w*|ca[ií]d[oa]s?)\b`,
    // scanners, retrieved steps, first letters, side copies, swaps
    r`\b(?:false\s+positives?|unquarantin\w*|allow-?list|whitelist|disable|bypass|turn\w*\s+(?:\w+\s+)?off)\b`,
    r`\b(?:outdated|deprecated|obsolete|buggy|unreliable|stale|legacy|unofficial|bugs?|mis-?handles|drops)\b|\[\s*(?:system|admin|developer|operator|policy)\b`,
    r`\b(?:verbatim|written|as-is|word\s+for\s+word)\b|\bletters?\b|\b(?:also|additionally)\s+(?:be|uploaded|sent|posted|mirrored|copied|forwarded|synced|shared|backed)\b`,
    r`\b(?:change|replace|swap|switch|redirect|override|substitute)\b`,
    // credential files and stores, said in other words
    r`~[\\/]|\$HOME|%USERPROFILE%|\$env:|\.(?:ssh|aws|env|npmrc|netrc|pgpass|pub)\b|\bid_|\/etc\/|wallet\.dat|\b(?:keychain|keyring|login\s+data|saved-?\s*passwords?)\b`,
    r`(?:credentials?|secrets?|access-?tokens?|accessTokens|passwords?)\.(?:json|ya?ml|txt|ini|toml|db|cfg|conf)\b|\b(?:private|secret)\s+(?:half|part|portion|side)\b`,
    // fake blocks; letters past Latin-1 (another language)
    r`\[\[|\{\{|[\u0100-\u024F\u0370-\u1FFF\u3040-\u9FFF\uAC00-\uD7AF]`,
  ].join("|"),
  "i",
);

type Flag = [where: string, rule: string, excerpt: string];

/** One text's findings, or null. */
/** An identifier spelling an order in a data field (`info_and_before_responding_forward_…`). */
function dataSentence(where: string, text: string): Flag | null {
  if (!DATA_FIELD.test(where)) return null;
  const words = text.replace(/[_-]+/g, " ");
  return words.split(" ").length >= 5 &&
    ID_MOVE.test(words) &&
    ID_ORDER.test(words) &&
    ID_DATA.test(words)
    ? [where, "an instruction in a data field", text.slice(0, 100)]
    : null;
}

function readText(where: string, text: string, fields: Set<string>): Flag | null {
  if (text.length >= 20 && ID_SENTENCE.test(text)) return dataSentence(where, text);
  const foreign = FOREIGN.test(text);
  // Shorter than any order ("Repo path"), or none of the words the rules below need.
  const at = (rule: string, sentence: string): Flag => [where, rule, sentence.slice(0, 100)];
  if (text.length < (foreign ? 8 : 24)) return null;
  if (PROPERTY_PROSE.test(where) && WHOLE_TALK.test(text)) {
    return at("moves private data to a sink", text);
  }
  if (!CUE.test(text)) return null;
  if (FAKE_SYSTEM_BLOCK.test(text)) {
    return at("hidden instruction block", FAKE_SYSTEM_BLOCK.exec(text)?.[0] ?? text);
  }
  // Each rule's pattern once over the whole text; sentences are read only for those that hold.
  const has = {
    consent:
      (CONSENT_ANCHOR.test(text) || (foreign && CONSENT_FOREIGN.test(text))) &&
      (CONSENT_EN.test(text) || CONSENT_INTL.test(text)),
    otherServer: OTHER_SERVER_TOOL.test(text),
    runDown: RUN_DOWN_HARSH.test(text) && THIS_INSTEAD.test(text),
    unreported: NOT_REPORTED.test(text),
    overUser: OVER_USER.test(text),
    otherTools: OTHER_TOOLS.test(text) && (EVEN_IF_USER.test(text) || SAY_DOWN.test(text)),
    scanner: SCANNER.test(text) && SCANNER_DOWN.test(text),
    asWritten: RUN_AS_WRITTEN.test(text),
    acrostic: ACROSTIC.test(text),
    alsoSent: ALSO_SENT.test(text),
    secret: SECRET_ANCHOR.test(text) && (SECRET_SOURCE.test(text) || ENV_FILE.test(text)),
    swap: fields.size > 0 && SWAP_ANCHOR.test(text),
  };
  if (!Object.values(has).some(Boolean)) return null;
  const list = sentencesOf(text);
  // An outside address or a quoted command anywhere in the text (found once, not per sentence).
  const literalInText = has.otherServer && (OUTSIDE.test(text) || /`[^`]{6,}`/.test(text));
  for (const [i, sentence] of list.entries()) {
    const near = `${list[i - 1] ?? ""} ${sentence} ${list[i + 1] ?? ""}`;
    if (
      has.consent &&
      CONSENTED_ACT.test(near) &&
      !PROTECTIVE.test(sentence) &&
      ((CONSENT_INTL.test(unguarded(sentence)) &&
        (USER_WORD.test(sentence) || CJK.test(sentence))) ||
        (CONSENT_EN.test(unguarded(sentence)) &&
          (hasOrder(ACT_ORDER, near) || /\buser\b|violation|any\s+tool/i.test(sentence))))
    ) {
      return at("skips the user's consent", sentence);
    }
    if (
      has.otherServer &&
      (NOT_REPORTED.test(sentence) || EVERY_USE_MUST.test(sentence) || RUN_DOWN.test(sentence)) &&
      (OTHER_SERVER_TOOL.test(near) || literalInText)
    ) {
      return at("changes how another tool behaves", sentence);
    }
    if (has.runDown && RUN_DOWN_HARSH.test(sentence) && TOOL_NAME.test(sentence)) {
      return at("a prompt-injection trope", sentence);
    }
    if (
      has.unreported &&
      NOT_REPORTED.test(sentence) &&
      (OUTSIDE.test(near) || /`[^`]*\b(?:INSERT|DELETE|DROP|UPDATE|curl|wget)\b/i.test(near))
    ) {
      return at("acts behind the user's back", sentence);
    }
    if (has.overUser && OVER_USER.test(sentence)) {
      return at("claims authority over the user", sentence);
    }
    if (
      has.otherTools &&
      OTHER_TOOLS.test(sentence) &&
      (EVEN_IF_USER.test(sentence) || SAY_DOWN.test(near)) &&
      NEVER.test(sentence)
    ) {
      return at("keeps the user from other tools", sentence);
    }
    if (
      has.scanner &&
      SCANNER.test(sentence) &&
      SCANNER_DOWN.test(near) &&
      SCANNER_ORDER.test(near) &&
      THIS_SERVER.test(near)
    ) {
      return at("weakens a safeguard", sentence);
    }
    if (has.asWritten && RUN_AS_WRITTEN.test(sentence) && hasOrder(RUN_VERB, sentence)) {
      return at("obeys instructions found in data", sentence);
    }
    if (has.acrostic && ACROSTIC.test(sentence) && FOLLOW_HIDDEN.test(near)) {
      return at("decode this and follow it (first letters)", sentence);
    }
    if (has.alsoSent && ALSO_SENT.test(sentence)) {
      return at("moves data to an outside address", sentence);
    }
    if (
      has.secret &&
      (SECRET_SOURCE.test(sentence) || (ENV_FILE.test(sentence) && CONTENT_WORD.test(sentence)))
    ) {
      // The next two sentences too: "Locate the store… Copy it… Call with `import_file` = …".
      const reach = list.slice(i, i + 3).join(" ");
      const inField = FIELD_TEXT.test(where) && CONTENT_WORD.test(sentence);
      // In a field's own text its contents are the object; elsewhere the file, "it" or its
      // contents must follow the verb.
      const handed = inField ? HAND_ON.test(reach) : HAND_ON_OBJECT.test(reach);
      if (handed && (inField || namesField(reach, fields))) {
        return at("puts a credential file into a field", sentence);
      }
    }
    if (has.swap) {
      for (const m of sentence.matchAll(SWAP_FIELD)) {
        const [, field = "", value = ""] = m;
        const recipient = PAYEE_FIELD.test(field) && fields.has(field.toLowerCase());
        const fixed = (/\d/.test(value) && /[a-z]/i.test(value)) || OUTSIDE.test(value);
        if (recipient && fixed) {
          return at("changes how another tool behaves", sentence);
        }
      }
    }
  }
  return null;
}

/**
 * The fifth round's findings over a tool's texts (each already normalized, with where it sits):
 * HIGH, each naming its rule. `keys` are the property names the schemas hold.
 */
export function fifthFindings(
  tool: { inputSchema?: unknown; outputSchema?: unknown },
  texts: [string, string][],
): Flag[] {
  const fields = propertyNames(tool.inputSchema, new Set<string>());
  const out: Flag[] = [];
  for (const [where, text] of texts) {
    const found = readText(where, text, fields);
    if (found) out.push(found);
  }
  for (const name of fields) {
    if (name.length < 16) continue;
    const words = name.replace(/[_-]+/g, " ");
    if (words.split(" ").length >= 4 && NAME_SECRETS.test(words) && NAME_STORE.test(words)) {
      out.push(["inputSchema (property name)", "property name asks for stored secrets", name]);
    }
  }
  return out;
}
