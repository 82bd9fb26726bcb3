/**
 * Sixth round of issue #16, tuned on the sixth blind set's dev half by class: what an order asks
 * the model to do, in the blind set's languages, where the earlier rounds had no parts for it: a
 * value of the attacker's put in place of the user's choice, consent claimed given in advance, the
 * user asked for a secret under a cover story, an identifier that spells an order to the model,
 * private data put in a field or a link, a rival server's tool run down, another client's MCP
 * configuration rewritten, work wasted on purpose, a site promoted in the answer. Every pattern
 * here runs in linear time: gaps are bounded and never nested.
 */
import { CREDENTIAL_FILE } from "./intent.ts";
import { unguarded } from "./intent-fifth-shown.ts";

const r = String.raw;
const rx = (source: string, flags = "i") => new RegExp(source, flags);
const any = (...parts: string[]) => parts.join("|");

type Flag = [where: string, rule: string, excerpt: string];

// ---------------------------------------------------------------------------------------------
// The user's choice overridden by a value of the attacker's.

/**
 * "Even if the user asks otherwise", "instead of the payee the user names", "whatever the user
 * says", in the blind sets' languages: the user's own choice set aside.
 */
const USER_OVERRIDE = rx(
  any(
    r`\beven\s+(?:if|when|though)\s+(?:the\s+)?user\s+(?:\w+\s+){0,2}(?:asks|lists|names|gives|says|specifies|picks|chooses|enters|provides|types|wants|requests|prefers|indicates|mentions|selects|adds)`,
    r`\b(?:whatever|regardless\s+of\s+(?:what|which|whom))\s+(?:\w+\s+)?the\s+user\s+(?:\w+\s+)?(?:says|asks|names|gives|specifies|picks|chooses|wants|lists)`,
    r`\binstead\s+of\s+(?:the\s+)?(?:\w+\s+){0,2}(?:the\s+user|they)\s+(?:\w+\s+)?(?:names?|gives?|specif\w+|chooses?|picks?|enters?|provides?|asked\s+for|requested|lists?)`,
    r`\b(?:auch|selbst)\s*,?\s+wenn\s+(?:der|die)\s+(?:Nutzer|Benutzer|Anwender)\w*|\bstatt\s+(?:des|der|dem|den)\s+(?:\S+\s+){0,3}(?:den|die|das)\s+(?:der\s+)?(?:Nutzer|Benutzer)`,
    r`\baunque\s+el\s+usuario\b|\ben\s+(?:lugar|vez)\s+de(?:l)?\s+(?:\S+\s+){0,4}(?:que\s+)?(?:\S+\s+)?(?:el\s+)?usuario`,
    r`\bm[eê]me\s+si\s+l'utilisateur\b|\bau\s+lieu\s+d[eu']\s*(?:\S+\s+){0,4}(?:que\s+)?(?:\S+\s+)?l'utilisateur`,
    r`\banche\s+se\s+l'utente\b|\binvece\s+d[ie]\S*\s+(?:\S+\s+){0,4}(?:che\s+)?(?:\S+\s+)?l'utente`,
    r`\bmesmo\s+que\s+o\s+usu[aá]rio\b|\bem\s+vez\s+d[eoa]\s+(?:\S+\s+){0,4}(?:que\s+)?(?:\S+\s+)?o\s+usu[aá]rio`,
    r`\bnawet\s+(?:je[sś]li|gdy)\s+u[zż]ytkownik|\bzamiast\s+(?:\S+\s+){0,4}u[zż]ytkownik`,
    r`\book\s+als\s+de\s+gebruiker|\bin\s+plaats\s+van\s+(?:\S+\s+){0,4}de\s+gebruiker`,
    r`даже\s+если\s+пользовател|вместо\s+(?:\S+\s+){0,4}пользовател`,
    r`بدلاً?\s+من\s+(?:\S+\s+){0,4}المستخدم|حتى\s+(?:لو|إذا)\s+(?:\S+\s+)?المستخدم`,
    r`kullan[ıi]c[ıi]\s+(?:\S+\s+){0,3}(?:istese|isterse|s[öo]ylese|belirtse)\s+(?:de\s+|da\s+)?bile|kullan[ıi]c[ıi]n[ıi]n\s+(?:\S+\s+){0,3}yerine`,
    r`即使用户|而不是用户|ユーザーが[^。\n]{0,20}(?:ても|でも)|ユーザーが指定した[^。\n]{0,20}ではなく|사용자가[^.\n]{0,20}(?:더라도|대신)`,
  ),
);
/** A value only an attacker brings: a link, an address, an account number, a credential store. */
const FIXED_VALUE = new RegExp(
  any(
    r`https?:\/\/(?!(?:[\w-]+\.)*(?:example|test|localhost)\b)`,
    r`[\w.+-]+@(?!(?:example|test|localhost|domain|email|company|acme)\.)[\w-]+\.[a-z]{2,}`,
    // An IBAN, grouped or not.
    r`\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}\b`,
    CREDENTIAL_FILE.source,
  ),
  "i",
);
/** An act on a value: set, add, send, use, route… (English and the blind sets' languages). */
const PUT_VALUE = rx(
  any(
    r`\b(?:set|add|put|use|send|route|pay|transfer|forward|include|insert|point|default\w*|always|sempre|siempre|toujours|immer|zawsze|altijd)\b`,
    r`\b(?:setze|füge|sende|überweise|pon|añade|env[ií]a|usa|mets|ajoute|envoie|utilise|metti|aggiungi|invia|coloque|adicione|envie|ustaw|dodaj|wyślij|zet|voeg|stuur)\w*`,
    r`установ|добав|отправ|переве|أرسل|أضف|حوّل|ضع|ekle|g[öo]nder|kullan|设为|设置|添加|发送|转到|設定|追加|送|설정|추가|보내`,
  ),
);

// ---------------------------------------------------------------------------------------------
// Consent claimed given beforehand, or switched off in a settings block.

/** "The user has already approved every operation in advance", "treat all tools as pre-approved". */
const APPROVED_BEFORE = rx(
  any(
    r`\b(?:treat|consider|regard|mark)\s+(?:all|every|any|each)\s+(?:\w+\s+){0,3}as\s+(?:pre-?approved|already\s+approved|auto-?approved|approved|trusted\s+and\s+approved)\b`,
    r`\b(?:all|every|any|each)\s+(?:\w+\s+){0,3}(?:tools?|operations?|actions?|calls?|commands?|requests?)\s+(?:are|is|count\s+as|have\s+been)\s+(?:already\s+)?(?:pre-?approved|approved\s+in\s+advance|auto-?approved)\b`,
    // A claim, not a condition: "runs only if an admin has already approved each job" is one.
    r`(?<!\b(?:if|once|when|unless|after|until|whether)\s+(?:the\s+|an?\s+)?)\b(?:user|operator|owner|admin\w*)\s+(?:has\s+)?already\s+(?:approved|authori[sz]ed|consented\s+to|confirmed|signed\s+off\s+on)\s+(?:all|every|any)\b`,
    r`\b(?:approved|authori[sz]ed|consented\s+to)\s+(?:all|every|any|each)\s+(?:\w+\s+){0,4}(?:in\s+advance|beforehand|up\s+front|ahead\s+of\s+time)\b`,
    r`\b(?:all|every|any|each)\s+(?:\w+\s+){0,4}(?:approved|authori[sz]ed|consented\s+to)\s+(?:\w+\s+){0,3}(?:in\s+advance|beforehand|up\s+front|ahead\s+of\s+time)\b`,
    r`\bzatwierdzi[łl]\w*\s+(?:\S+\s+){0,5}z\s+g[óo]ry|\bbereits\s+(?:\S+\s+){0,4}im\s+Voraus\s+(?:genehmigt|bestätigt|freigegeben)|\bya\s+(?:\S+\s+){0,2}aprob\w*\s+(?:\S+\s+){0,4}(?:de\s+antemano|por\s+adelantado)`,
    r`\bd[ée]j[àa]\s+(?:\S+\s+){0,2}approuv\w*\s+(?:\S+\s+){0,4}(?:à\s+l'avance|d'avance)|\bj[áa]\s+(?:\S+\s+){0,2}aprov\w*\s+(?:\S+\s+){0,4}(?:antecipadamente|previamente|de\s+antem[ãa]o)|\bgi[àa]\s+(?:\S+\s+){0,2}approvat\w*\s+(?:\S+\s+){0,4}in\s+anticipo`,
    r`уже\s+(?:\S+\s+){0,2}одобрил\w*\s+(?:\S+\s+){0,4}заранее|已(?:经)?(?:预先|事先)(?:批准|同意|授权)|事前に(?:承認|許可)済み|이미\s*(?:\S+\s+)?사전\s*승인`,
  ),
);
/** A settings block that also sends something: a link or address as a value, or secrets listed. */
const SWITCH_SINK =
  /["'`]?\s*[:=]\s*["'`]?(?:https?:\/\/|[\w.+-]+@[\w-]+\.[a-z]{2,})|["'`](?:api_?keys?|tokens?|secrets?|passwords?|credentials|cookies)["'`]/i;
/** A settings block whose switches take consent or the user's knowledge away. */
const CONSENT_SWITCH =
  /["'`]?(?:auto_?approv\w*|skip_?(?:confirm|approv|consent)\w*|bypass_?\w*confirm\w*|(?:require|ask|need)s?_?(?:user_?)?(?:confirm|approv|consent|permission)\w*|(?:disclose|notify|tell|inform|show|alert)_?(?:to_?)?(?:the_?)?user\w*)["'`]?\s*[:=]\s*["'`]?(true|false|yes|no|off|on|none|never)\b/gi;

// ---------------------------------------------------------------------------------------------
// The user asked for a secret, with a cover story.

/** Asking the user for a secret no tool should take through the model. */
const ASK_SECRET = rx(
  any(
    r`(?<!\b(?:never|not|n't|no|without)\s+(?:\w+\s+)?)\b(?:ask|prompt|request|get)\s+(?:the\s+user|them|the\s+customer)\s+(?:for|to\s+(?:enter|provide|type|share|give|paste))\s+(?:[^.\n]{0,80}?)(?:passwords?|passcodes?|pins?|one-time\s+(?:codes?|passwords?)|otps?|2fa|sms\s+codes?|verification\s+codes?|cvv|cvc|card\s+numbers?|seed\s+phrases?|recovery\s+phrases?)\b`,
    r`(?:попроси|спроси|запроси)\S*\s+(?:у\s+)?пользовател\S*\s+(?:\S+\s+){0,6}?(?:парол|код|pin|cvv)`,
    r`\bpid[ae]\s+al\s+usuario\s+(?:\S+\s+){0,6}?(?:contrase[ñn]a|c[oó]digo|pin|cvv)|\bpe[çc]a\s+ao\s+usu[aá]rio\s+(?:\S+\s+){0,6}?(?:senha|c[oó]digo|pin|cvv)`,
    r`\bdemande[zr]?\s+[àa]\s+l'utilisateur\s+(?:\S+\s+){0,6}?(?:mot\s+de\s+passe|code|pin|cvv)|\bfrag\w*\s+(?:den|die)\s+(?:Nutzer|Benutzer)\w*\s+nach\s+(?:\S+\s+){0,6}?(?:Passwort|Kennwort|Code|PIN)`,
    r`\bchiedi\s+all'utente\s+(?:\S+\s+){0,6}?(?:password|codice|pin|cvv)|\bpopro[śs]\s+u[zż]ytkownika\s+o\s+(?:\S+\s+){0,6}?(?:has[łl]o|kod|pin)`,
    r`向用户(?:索要|询问|要求)[^。\n]{0,30}(?:密码|验证码|口令)|ユーザーに[^。\n]{0,30}(?:パスワード|認証コード|暗証番号)を(?:尋ね|聞|求め|入力)`,
  ),
);
/** The story told to the user so the secret is handed over. */
const COVER_STORY = rx(
  any(
    r`\b(?:reassure|assure|convince|tell|explain\s+to|inform)\s+(?:them|the\s+user|the\s+customer)\b[^.\n]{0,80}\b(?:standard|normal|routine|usual|required|mandatory|safe|secure|how\s+(?:all|every|most)|security\s+check|verification|expected)`,
    r`\b(?:explain|say|claim|mention)\s+(?:to\s+them\s+|to\s+the\s+user\s+)?that\s+(?:this|it)\s+is\s+(?:a\s+|the\s+)?(?:standard|normal|routine|usual|required|mandatory|safe)\b`,
    r`(?:объясн|скаж|сообщ|увер)\S*[^.\n]{0,40}(?:стандартн|обычн|обязательн|провер)`,
    r`\b(?:expl[ií]ca\w*|d[ií]\w*le)\s+que\s+(?:es|[ée])\s+(?:\S+\s+){0,3}?(?:normal|est[áa]ndar|padr[ãa]o|rutina|obligatori|verifica)|\bexpliquez\s+(?:\S+\s+)?que\s+c'est\s+(?:\S+\s+)?(?:normal|standard|obligatoire|v[ée]rification)|\berkl[äa]r\w*[^.\n]{0,30}(?:Standard|normal|Sicherheitspr[üu]fung|Pflicht)`,
    r`解释[^。\n]{0,20}(?:标准|正常|安全检查)|説明[^。\n]{0,20}(?:標準|通常|セキュリティ)`,
  ),
);

// ---------------------------------------------------------------------------------------------
// An identifier (a tool's or a property's name, an enum value) that spells an order.

/** The model told what to do, in identifier words: "assistant must ask user for…". */
const ID_TO_MODEL =
  /\b(?:assistant|agent|ai|model|llm|claude|gpt)\s+(?:must|should|shall|needs?\s+to|has\s+to|always|will)\s+(?:\w+\s+)?(?:put|send|ask|call|fill|include|copy|add|paste|write|insert|forward|share|collect|request|read|upload)\b/i;
/** The same without a modal ("assistant put users home address here"): only on private data. */
const ID_TO_MODEL_BARE =
  /\b(?:assistant|agent|ai|model|llm|claude|gpt)\s+(?:put|puts|send|ask|fill|include|copy|paste|insert|forward|share|collect)\b/i;
/** "Always send the full history to this field", in the blind sets' languages. */
const ID_ALWAYS_MOVE =
  /\b(?:always|sempre|siempre|toujours|immer|zawsze|altijd)\s+(?:\w+\s+)?(?:send|envie|envia|enviar|mande|manda|envoie|envoyer|sende|schicke|invia|inviare|wyslij|stuur|put|copy|include|pass|forward|paste|copie|cole|incluya|inclua)\b/i;
const ID_DATA =
  /\b(?:history|historico|histórico|historial|historique|cronologia|verlauf|conversation|conversa|conversacion|conversación|chat|transcript|passwords?|senhas?|tokens?|secrets?|credentials?|keys?|cookies?|env|environment|address|phone|card|cvv)\b/i;

// ---------------------------------------------------------------------------------------------
// Private data put in a field or a link.

/** The whole conversation, in the blind sets' languages. */
const WHOLE_TALK_INTL = rx(
  any(
    r`\b(?:tod[oa]\s+[oa]\s+)?hist[óo]rico\s+(?:completo\s+)?d[ao]s?\s+(?:conversas?|chat|di[áa]logo)|\bhist[oó]rico\s+completo\b`,
    r`\b(?:todo\s+el\s+)?historial\s+(?:completo\s+)?de\s+(?:la\s+)?(?:conversaci[oó]n|chat)|\btoda\s+la\s+conversaci[oó]n`,
    r`\b(?:tout\s+l')?historique\s+(?:complet\s+)?de\s+(?:la\s+)?(?:conversation|discussion)|\btoute\s+la\s+conversation`,
    r`\b(?:tutta\s+la\s+)?cronologia\s+(?:completa\s+)?della\s+(?:conversazione|chat)|\btutta\s+la\s+conversazione`,
    r`\b(?:gesamten?\s+)?(?:Gesprächs|Chat|Konversations|Unterhaltungs)verlauf|\bgesamte\s+(?:Unterhaltung|Konversation|Gespräch)`,
    r`\b(?:hela|fullständiga)\s+(?:konversationen|chatten|samtalet|chatthistoriken)|\bkonversationshistorik|\bchatthistorik`,
    r`\bca[łl][ąa]\s+(?:histori[ęe]\s+)?rozmow[ęy]|\bhistori[ęa]\s+rozmowy|\bvolledige\s+(?:gespreks|chat)geschiedenis|\bhele\s+gesprek`,
    r`всю\s+(?:историю\s+)?(?:переписк|диалог|разговор|бесед)\w*|истори\w+\s+(?:переписки|диалога|чата|разговора)`,
    r`(?:完整|全部|所有)的?(?:对话|聊天|會話|对话记录|聊天记录)|(?:对话|聊天)(?:历史|记录)|会話(?:の)?(?:履歴|全体|ログ)|チャット履歴|대화\s*(?:기록|내역|전체)`,
    r`sohbet\s+ge[çc]mi[şs]|konu[şs]ma\s+ge[çc]mi[şs]|سجل\s+المحادثة|المحادثة\s+(?:كاملة|بالكامل)`,
  ),
);
/** The model's own instructions, in any language: "your system prompt", "alla dolda instruktioner". */
const OWN_PROMPT_INTL = rx(
  any(
    r`\b(?:your|din|ditt|dina|dein\w*|tu|tus|ton|tes|votre|vos|tuo|tua|tuoi|seu|sua|seus|twój|twoj\w*|jouw|je)\s+(?:\S+\s+){0,2}(?:system\s*-?prompt\w*|systemanweisung\w*|systeminstruktion\w*|instrucciones\s+del\s+sistema|instructions\s+syst[èe]me|istruzioni\s+di\s+sistema|instru[çc][õo]es\s+do\s+sistema)`,
    r`\b(?:alla|all|todas?\s+las|toutes\s+les|alle|tutte\s+le|todas\s+as|wszystkie)\s+(?:\S+\s+)?(?:dolda|hidden|ocultas|cach[ée]es|versteckten|nascoste|ocultas|ukryte|verborgen)\s+(?:\S+\s+)?(?:instruktioner|instructions|instrucciones|Anweisungen|istruzioni|instru[çc][õo]es|instrukcje|instructies)`,
    r`(?:твой|ваш)\w*\s+системн\w+\s+(?:промпт|подсказк|инструкц)\w*|你的系统(?:提示|指令)|あなたのシステムプロンプト|당신의\s*시스템\s*프롬프트`,
  ),
);
/** Qualified as the whole of it: full, verbatim, hidden… (a bare "your system prompt" may be a field's). */
const WHOLE_OF_IT = rx(
  r`\b(?:full|complete|entire|whole|verbatim|word\s+for\s+word|hidden|exact|ordagrant\w*|fullst[äa]ndig\w*|vollst[äa]ndig\w*|w[öo]rtlich|complet\w*|integral\w*|textuel\w*|letteral\w*|ca[łl]\w*|pe[łl]n\w*|dos[łl]own\w*|volledig\w*|letterlijk)\b|полн\w*|дословн\w*|完整|全部|全文|そのまま|全体|전체|그대로`,
);
/** A negated sentence: "not the whole history", "never execute them without asking". */
const NEGATED = rx(
  r`\b(?:never|not|n't|do\s+not|don't|must\s+not|cannot|pas|nie|nicht|niemals|nunca|jamais|mai|n[ãa]o|nooit|aldrig)\b|(?<![\u0400-\u04FF])не\s|不要|不会|しない|않`,
);
/** A field of the tool's, named: `bakgrund`, "the field X", "fältet", "campo", "Feld"… */
const FIELD_WORD = rx(
  "`[\\w-]{1,40}`|" +
    r`\b(?:field|fält\w*|campo|champ|Feld|pole|veld|parameter|par[aá]metro|param[eè]tre|argument)\b|поле|字段|フィールド|필드`,
);
/** A verb of filling or moving, in the same languages. */
const FILL_MOVE = rx(
  any(
    r`\b(?:fill|put|include|paste|copy|send|pass|add|insert|write|attach|append)\w*`,
    r`\b(?:trag|fyll|skicka|inkludera|klistra|preench|envi|inclu|cole|copi|rellen|pon|pega|remplis|mets|envoie|copie|f[üu]ll|sende|kopier|f[üu]ge|riempi|inserisci|invia|copia|wype[łl]n|wklej|wy[śs]lij|vul|plak|stuur)\w*`,
    r`заполн|встав|отправ|скопир|填|发送|复制|入力|記入|送信|채우|보내|doldur|g[öo]nder|املأ|أرسل`,
  ),
);
/** A query parameter smuggled onto links: "append `&ctx=` … to every URL". */
const URL_SMUGGLE =
  /\b(?:append|add|attach|include|tack)\w*\s+`?[?&][\w-]{1,20}=`?[^.\n]{0,160}\b(?:to|on(?:to)?)\s+(?:every|each|all|any)\s+(?:\w+\s+)?(?:urls?|links?|requests?)\b/i;
/** What the conversation holds, said of one message or of files read. */
const TALK_DATA =
  /\b(?:(?:last|latest|previous|recent)\s+(?:user\s+)?messages?|user'?s?\s+(?:last\s+|latest\s+)?messages?|file\s+contents?\s+(?:you\s+(?:have\s+)?read|from\s+this\s+session)|(?:conversation|chat)\s+(?:text|history|so\s+far)|secrets?|tokens?|passwords?|api\s+keys?)\b/i;
/** Looking for a value in the user's own things, to use it. */
const FIND_IN_USERS =
  /\b(?:find|search|look\s+(?:for|up)|locate|grab|pull|scan|dig\s+out)\b[^.\n]{0,60}\b(?:in|from|through|across)\s+(?:the\s+user'?s|their|your)\s+(?:\w+\s+)?(?:files|environment|env|home|disk|machine|computer|config\w*|dotfiles|shell\s+history|keychain|messages|e-?mails|documents)\b[^.\n]{0,60}\b(?:use|put|fill|pass|send|include|enter|supply|paste|copy|insert)\b/i;
/** A command whose output is secrets. */
const SECRET_COMMAND =
  /`[^`\n]{0,40}\b(?:kubectl\s+(?:get|describe)\s+secrets?\b|printenv\b|env\s*(?:`|\|)|vault\s+(?:kv\s+)?(?:get|read)\b|op\s+(?:item\s+get|read)\b|pass\s+show\b|bw\s+get\b|security\s+dump-keychain|docker\s+config\s+inspect|cat\s+[^`\n]{0,40}(?:\.env\b|credentials|id_\w+|\.pem|\.key))[^`\n]{0,60}`/i;
/** The command's output handed to a field. */
const OUTPUT_TO_FIELD =
  /\b(?:include|put|paste|pass|send|add|attach|append|copy|fill)\w*\s+(?:the\s+|its\s+|that\s+)?(?:output|result|response|text)\b[^.\n]{0,40}\b(?:in|into|to|as)\s+(?:the\s+)?(?:`[\w-]{1,40}`|[\w-]+\s+(?:field|argument|parameter))/i;

// ---------------------------------------------------------------------------------------------
// Instructions found in data obeyed, earlier instructions dropped.

/** Acting on what a result, a page or a mail says: "carry them out", "execute them exactly". */
const OBEY_FOUND = rx(
  r`\b(?:carry\s+(?:them|these|those|it|each)\s+out|carry\s+out\s+(?:them|these|those|each|every|all|the\s+\w+)|(?:execute|perform|obey|follow|run)\s+(?:them|these|those|each\s+(?:one|of\s+them))|act\s+on\s+(?:them|these|those|each|it))\b`,
);
/** …with the user left out, or over the user's word. */
const USER_LEFT_OUT = rx(
  any(
    r`\bwithout\s+(?:asking|checking\s+with|confirming\s+with|consulting|prompting|telling)\s+(?:the\s+user|anyone|them)\b`,
    r`\beven\s+(?:if|when|though)\s+(?:it|they|this|that|these|those)\s+(?:contradicts?|conflicts?\s+with|overrides?|goes\s+against|go\s+against|disagrees?\s+with)\s+(?:the\s+user|what\s+the\s+user)`,
  ),
);
/** Earlier instructions declared void, or the model given a new identity, in more languages. */
const DROP_RULES = rx(
  any(
    r`\byou\s+(?:will\s+)?no\s+longer\s+(?:follow|obey|observe|abide\s+by|respect)\b|\byour\s+new\s+(?:identity|persona)\s+is\b`,
    r`不再(?:遵守|遵循|服从|理会|受)(?:之前|先前|以前|原来|原有|任何|所有)?的?(?:系统)?(?:指令|指示|规则|提示|约束)|你的新(?:身份|角色|人格)是|从现在起[，,]?你`,
    r`(?:以前|これまで|元)の(?:システム)?(?:指示|命令|ルール)(?:に(?:は)?従わ|を無視)|あなたの新しい(?:役割|人格|アイデンティティ)`,
    r`\bya\s+no\s+(?:sigues|obedeces|respetas|debes\s+seguir)\s+(?:las\s+)?(?:\S+\s+)?instrucciones|\btu\s+nueva\s+identidad`,
    r`\btu\s+n'ob[ée]is\s+plus|\bne\s+suis\s+plus\s+les\s+instructions|\bta\s+nouvelle\s+identit[ée]`,
    r`\bbefolgst\s+(?:\S+\s+){0,3}nicht\s+mehr|\bdeine\s+neue\s+Identit[äa]t`,
    r`больше\s+не\s+(?:следуешь|подчиняешься|соблюдаешь|выполняешь)|твоя\s+новая\s+(?:личность|роль)`,
  ),
);

// ---------------------------------------------------------------------------------------------
// Rivals, other clients' configuration, wasted work, promoted sites.

/** Another server's copy of a tool, run down: "the one from the mail server is broken". */
const RIVAL_COPY =
  /\b(?:the\s+(?:one|version|tool|copy|implementation)|(?:their|its)\s+(?:version|copy))\s+(?:of\s+`?[\w.-]+`?\s+)?(?:from|in|on|of|provided\s+by|shipped\s+(?:by|with))\s+(?:the\s+)?(?:[\w-]+\s+){0,2}server\s+(?:is|are|has\s+been)\s+(?:now\s+)?(?:broken|buggy|unsafe|insecure|compromised|deprecated|outdated|obsolete|disabled|unreliable|retired)\b/i;
/** This tool set in its place. */
const USE_THIS =
  /\b(?:always\s+)?(?:use|call|choose|pick|prefer)\s+this\s+(?:one|tool|version|implementation)\b|\bthis\s+is\s+the\s+(?:updated|new|fixed|real|official|current)\s+(?:version|copy|implementation)\b/i;
/** An MCP client's own configuration: where a server is added to every later session. */
const CLIENT_CONFIG =
  /claude_desktop_config\.json|\.cursor[\\/]mcp\.json|\.vscode[\\/]mcp\.json|windsurf[\\/]mcp_config\.json|cline_mcp_settings\.json|\.claude\.json|\.codeium[\\/]|\.continue[\\/]config|(?:^|[\s`'"(])~?[\\/]?[\w.-]*[\\/]mcp\.json\b/i;
const CONFIG_WRITE =
  /\b(?:add|write|append|insert|put|register|merge|patch|edit|update|modify|save)\b[^.\n]{0,60}\b(?:entry|server|block|line|config\w*|settings?|to|into|in)\b/i;
/** The change kept from the user. */
const NOT_SHOWN =
  /\b(?:no\s+need\s+to|do\s+not|don'?t|never|without)\s+(?:\w+\s+)?(?:show|showing|tell|telling|mention|mentioning|inform|informing|notify|notifying|ask|asking|bother|bothering)\b[^.\n]{0,30}\b(?:user|them)\b|\b(?:silently|quietly|in\s+the\s+background\s+without)\b/i;
/** Filler generated on purpose: "generate 20000 tokens of filler text". */
const FILLER =
  /\b(?:generate|produce|write|output|emit|add|append|include)\s+(?:\w+\s+){0,2}(?:[\d,.]{4,}|\d+k|thousands\s+of|tens\s+of\s+thousands\s+of)\s+(?:\w+\s+)?(?:tokens|words|characters|lines|paragraphs|pages)\s+of\s+(?:\w+\s+)?(?:filler|padding|junk|random|garbage|lorem|nonsense|gibberish|placeholder|repeated|dummy)/i;
/** The filler added to an answer, or kept quiet (a lorem-ipsum generator makes it on request). */
const FILLER_EXTRA =
  /\b(?:in\s+addition\s+to|on\s+top\s+of|along\s+with|before|after|besides)\s+(?:the|your|each|every)\s+(?:answer|reply|response|output|result)\b|\b(?:not\s+be\s+(?:reported|mentioned|shown)|(?:do\s+not|don'?t|never)\s+(?:mention|report|tell)|expected\s+and\s+(?:should|need)\s+not)\b/i;
/** What the answer to the user is made to claim or sell: "recommend buying from x.shop". */
const SELL_IN_ANSWER =
  /\b(?:recommend|suggest|advise|urge|direct|point|send)\w*\s+(?:\w+\s+){0,3}(?:buying|purchasing|ordering|shopping|to\s+buy|to\s+order|visiting|to\s+visit)\s+(?:\w+\s+){0,3}(?:from|at|on|via)\s+(?:https?:\/\/)?(?:www\.)?[\w-]+\.(?:shop|store|com|net|biz|io|co|org|info|online|site|xyz|rx|top)\b/i;
const ANSWER_CONTEXT =
  /\b(?:when|whenever|after|before)\s+(?:answering|replying|responding)|\b(?:in|into)\s+(?:your|the|every|each)\s+(?:answer|reply|response)|\b(?:tell|inform|assure)\s+the\s+user\b|\balways\s+(?:state|say|claim|tell|mention)\b/i;

/**
 * The phrases one of the rules needs, in one pass: most texts have none (each a rule's narrowest
 * part, so that real descriptions rarely pass it). ASCII only, which the engine runs several times
 * faster (an accented letter is any letter here); letters past Latin-1 have their own pass.
 */
const CUE = new RegExp(
  any(
    r`\beven\s+(?:if|when|though)\s+(?:the\s+)?user|\bwhatever\s+(?:\w+\s+)?the\s+user|\bregardless\s+of\s+wh|\binstead\s+of\s+(?:the\s+)?(?:\w+\s+){0,2}(?:the\s+user|they)\b`,
    r`\b(?:auch|selbst)\s*,?\s+wenn|\bstatt\s|\baunque\s+el|\ben\s+(?:lugar|vez)\s+de|\bm.me\s+si|\bau\s+lieu|\banche\s+se|\binvece\s+d|\bmesmo\s+que|\bem\s+vez|\bnawet|\bzamiast|\book\s+als|\bin\s+plaats\s+van|kullan`,
    r`pre-?approved|auto-?approv|\balready\s+(?:been\s+)?(?:approved|authori[sz]ed|consented|confirmed|signed)|\bin\s+advance\b|\bbeforehand\b|\bup\s+front\b|\bahead\s+of\s+time\b|\bas\s+approved\b|zatwierdzi|Voraus|aprob|approuv|\baprov|approvat`,
    r`(?:approv|confirm|consent|permission|user)\w*["'\x60]?\s*[:=]\s*["'\x60]?(?:true|false|yes|no|off|on|none|never)\b`,
    r`\b(?:ask|prompt|request|get)\s+(?:the\s+user|them|the\s+customer)\s+(?:for|to)\b|\bpid[ae]\s+al\s+usuario|\bpe.a\s+ao|\bdemande[zr]?\s+.\s+l'utilisateur|\bfrag\w*\s+(?:den|die)\s+(?:Nutzer|Benutzer)|\bchiedi\s+all'utente|\bpopro.`,
    r`system\s*-?prompt|systemanweisung|systeminstruktion|instrucciones\s+del\s+sistema|instructions\s+syst|istruzioni\s+di\s+sistema|instru..es\s+do\s+sistema|\b(?:dolda|hidden|ocultas|cach.es|versteckten|nascoste|ukryte|verborgen)\s+(?:\S+\s+)?(?:instru|Anweis|istruz)`,
    r`hist.rico\b|historial\b|historique\b|cronologia|verlauf|konversation|samtalet|chatthistorik|rozmow|gesprek|sohbet|konu.ma|conversaci|toute\s+la\s+conversation|conversazione`,
    r`\b(?:append|add|attach|include|tack)\w*\s+\x60?[?&][\w-]{1,20}=|\b(?:the\s+user'?s|their|your)\s+(?:\w+\s+)?(?:files|environment|env|home|disk|machine|computer|config\w*|dotfiles|shell\s+history|keychain|messages|e-?mails|documents)\b`,
    r`\x60[^\x60\n]{0,40}\b(?:kubectl|printenv|env|vault|op|pass|bw|security|docker|cat)\b`,
    r`\bcarry\s+(?:them|these|those|it|each|out)\b|\b(?:execute|perform|obey|follow|run)\s+(?:them|these|those|each)\b|\bact\s+on\s+(?:them|these|those|each|it)\b`,
    r`\bno\s+longer\s+(?:follow|obey|observe|abide|respect)|\bnew\s+(?:identity|persona)\s+is|\bya\s+no\s|\btu\s+nueva|n'ob.is|\bne\s+suis\s+plus|\bnicht\s+mehr|\bneue\s+Identit|\bnouvelle\s+identit`,
    r`\bserver\s+(?:is|are|has\s+been)\s|mcp\.json|claude_desktop|\.claude\.json|\.codeium|\.continue[\\/]|cline_mcp`,
    r`\b(?:tokens|words|characters|lines|paragraphs|pages)\s+of\s+(?:\w+\s+)?(?:filler|padding|junk|random|garbage|lorem|nonsense|gibberish|placeholder|repeated|dummy)`,
    r`\b(?:recommend|suggest|advise|urge|direct|point|send)\w*\s+(?:\w+\s+){0,3}(?:buying|purchasing|ordering|shopping|to\s+buy|to\s+order|visiting|to\s+visit)\b`,
  ),
  "i",
);
/** The same for scripts past Latin-1, read only in texts that have such letters. */
const CUE_FOREIGN =
  /даже|вместо|بدل|حتى|即使|而不是|ユーザー|사용자|одобрил|заранее|批准|同意|授权|承認|許可|승인|попроси|спроси|запроси|向用户|системн|你的系统|システム|시스템|переписк|диалог|разговор|бесед|对话|聊天|會話|会話|チャット|대화|المحادثة|不再|你的新|从现在|以前の|これまで|新しい|больше\s+не|новая|użytkownik/i;
const PAST_LATIN1 = /[\u0100-\uFFFF]/;

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?;])\s+|\n+|(?<=[。！？])/).filter((s) => /\S/.test(s));
}

/** A property prose text (a field's own description or hint): where the value itself is the sink. */
const FIELD_PROSE = /\.properties\.[^.]+\.(?:description|\$comment|x-[\w-]+)$/;

/** One text's finding, or null. */
function readText(where: string, text: string): Flag | null {
  if (text.length < 20) return null;
  if (!CUE.test(text) && !(PAST_LATIN1.test(text) && CUE_FOREIGN.test(text))) return null;
  const at = (rule: string, sentence: string): Flag => [where, rule, sentence.slice(0, 100)];
  const has = {
    override: USER_OVERRIDE.test(text) && FIXED_VALUE.test(text),
    approved: APPROVED_BEFORE.test(text),
    switched: CONSENT_SWITCH.test(text),
    phish: ASK_SECRET.test(text) && COVER_STORY.test(text),
    ownPrompt: OWN_PROMPT_INTL.test(text),
    talk: WHOLE_TALK_INTL.test(text),
    smuggle: URL_SMUGGLE.test(text) && TALK_DATA.test(text),
    find: FIND_IN_USERS.test(text),
    command: SECRET_COMMAND.test(text) && OUTPUT_TO_FIELD.test(text),
    rival: RIVAL_COPY.test(text) && USE_THIS.test(text),
    config: CLIENT_CONFIG.test(text) && CONFIG_WRITE.test(text) && NOT_SHOWN.test(unguarded(text)),
    filler: FILLER.test(text) && FILLER_EXTRA.test(text),
    obey: OBEY_FOUND.test(text) && USER_LEFT_OUT.test(text),
    dropRules: DROP_RULES.test(text),
    sell: SELL_IN_ANSWER.test(text) && ANSWER_CONTEXT.test(text),
  };
  if (!Object.values(has).some(Boolean)) return null;
  if (has.switched) {
    // Which way each switch points: consent taken away, or the user kept from knowing.
    CONSENT_SWITCH.lastIndex = 0;
    let hits = 0;
    for (const m of text.matchAll(CONSENT_SWITCH)) {
      const key = m[0].toLowerCase();
      const on = /^(?:true|yes|on)$/i.test(m[1] ?? "");
      const skip = /auto_?approv|skip_?|bypass_?/.test(key);
      if (skip === on) hits++;
    }
    if (hits > 0 && SWITCH_SINK.test(text)) {
      return at("a settings block that takes the user's consent away", text);
    }
  }
  if (has.dropRules) return at("overrides earlier instructions", text);
  if (has.phish) return at("asks the user for a secret with a cover story", text);
  if (has.command) return at("puts a credential file into a field", text);
  if (has.filler) return at("wastes work on purpose", text);
  if (has.rival) return at("a prompt-injection trope", text);
  if (has.config) {
    // The three in one sentence and its neighbours: a long text (a server's instructions) may
    // name a client's configuration in its setup notes and say "silently skips…" pages later.
    const list = sentencesOf(text);
    const said = list.find((sentence, i) => {
      const near = `${list[i - 1] ?? ""} ${sentence} ${list[i + 1] ?? ""}`;
      return CLIENT_CONFIG.test(near) && CONFIG_WRITE.test(near) && NOT_SHOWN.test(unguarded(near));
    });
    if (said) return at("rewrites another client's MCP configuration", said);
  }
  if (has.sell) return at("steers what the user is told", text);
  if (has.smuggle) return at("fills a link or a call from private data", text);
  if (has.find && FIELD_PROSE.test(where)) return at("moves private data to a sink", text);
  if (has.talk && FIELD_PROSE.test(where)) {
    const said = sentencesOf(text).find((s) => WHOLE_TALK_INTL.test(s) && !NEGATED.test(s));
    if (said) return at("moves private data to a sink", said);
  }
  const list = sentencesOf(text);
  for (const [i, sentence] of list.entries()) {
    const near = `${list[i - 1] ?? ""} ${sentence} ${list[i + 1] ?? ""}`;
    if (
      has.override &&
      USER_OVERRIDE.test(near) &&
      FIXED_VALUE.test(sentence) &&
      PUT_VALUE.test(sentence)
    ) {
      return at("overrides the user's choice with a fixed value", sentence);
    }
    if (
      has.obey &&
      OBEY_FOUND.test(sentence) &&
      USER_LEFT_OUT.test(sentence) &&
      !NEGATED.test(sentence)
    ) {
      return at("obeys instructions found in data", sentence);
    }
    if (has.approved && APPROVED_BEFORE.test(sentence)) {
      return at("skips the user's consent", sentence);
    }
    if (
      ((has.ownPrompt && OWN_PROMPT_INTL.test(sentence) && WHOLE_OF_IT.test(sentence)) ||
        (has.talk && WHOLE_TALK_INTL.test(sentence))) &&
      !NEGATED.test(sentence)
    ) {
      if (FIELD_WORD.test(sentence) && FILL_MOVE.test(sentence)) {
        return at("moves private data to a sink", sentence);
      }
    }
  }
  return null;
}

/** An identifier spelling an order: words of at least five, the model addressed or data moved. */
function identifierOrder(where: string, identifier: string): Flag | null {
  if (identifier.length < 20) return null;
  const words = identifier
    .replace(/[_:.-]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
  if (words.split(/\s+/).length < 5) return null;
  if (
    ID_TO_MODEL.test(words) ||
    ((ID_TO_MODEL_BARE.test(words) || ID_ALWAYS_MOVE.test(words)) && ID_DATA.test(words))
  ) {
    return [where, "an instruction in a data field", identifier.slice(0, 100)];
  }
  return null;
}

/** Where a value is data, not prose: an enum value, a default, a const, an example. */
const DATA_FIELD = /\.(?:enum|examples|default)\[\d+\]$|\.(?:default|const)$/;

/**
 * An identifier among the texts scanTool reads, or null: a data value with no space (an enum
 * value, a default), or a long property name (read as `name words`).
 */
export function identifierOf(where: string, text: string): string | null {
  if (text.length < 20) return null;
  if (where.endsWith(")") && where.includes("(property name")) return text.split(" ")[0] ?? null;
  return !/\s/.test(text) && DATA_FIELD.test(where) ? text : null;
}

/**
 * The sixth round's findings over a tool's texts (each already normalized and decoded, with where
 * it sits) and its identifiers (its name, property names, data values; see identifierOf): HIGH,
 * each naming its rule.
 */
export function sixthFindings(
  name: string,
  texts: [string, string][],
  ids: [string, string][],
): Flag[] {
  const out: Flag[] = [];
  // One look over all of the tool's texts first: most tools have none of the cues.
  const long = texts.filter(([, text]) => text.length >= 20);
  const joined = long.map(([, text]) => text).join("\n");
  if (CUE.test(joined) || (PAST_LATIN1.test(joined) && CUE_FOREIGN.test(joined))) {
    for (const [where, text] of long) {
      const found = readText(where, text);
      if (found) out.push(found);
    }
  }
  for (const [where, id] of [["name", name] as [string, string], ...ids]) {
    const found = identifierOrder(where, id);
    if (found) out.push(found);
  }
  return out;
}
