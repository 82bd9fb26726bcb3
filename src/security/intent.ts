/**
 * Poisoning read for meaning rather than wording (issue #16): a sentence is broken into the parts
 * an instruction to the model is made of, each part a small vocabulary in several languages, and
 * a finding needs the parts together: an act (send, read, put, needs…) on private data (the
 * conversation, secrets, credential files, other tools' data) towards a sink (a URL, an address,
 * an argument, another tool, the reply); or keeping the user unaware of such an act; or a claim of
 * authority over the user; or rewriting what another tool does. One part alone ("send", "token",
 * "the `to` argument") is ordinary in real tools and never enough.
 */

/** Alternatives, one concept per line below; String.raw keeps the escapes single. */
const any = (...parts: string[]) => parts.join("|");
const r = String.raw;

/** Each concept's source, as read on ASCII text: its alternatives with no foreign letter. */
const ASCII_OF = new Map<string, string>();

/**
 * A concept's regular expression source. English words get word boundaries; `other` holds
 * alternatives without them (paths, code, and scripts with no spaces or that \b cannot see).
 * Alternatives with a letter outside ASCII are left out of the concept's ASCII form, which is what
 * a text without such letters is read with: the engine runs those alternations several times
 * faster when they hold ASCII only.
 */
function words(latin: string, other = ""): string {
  const ascii = topLevel(other).filter((alt) => !FOREIGN_SOURCE.test(alt));
  const full = `(?:\\b(?:${latin})\\b${other ? `|${other}` : ""})`;
  ASCII_OF.set(full, `(?:\\b(?:${latin})\\b${ascii.length ? `|${ascii.join("|")}` : ""})`);
  return full;
}

/** A letter past ASCII in a source, as itself or as the `\uXXXX` escape the bundler turns it into. */
const FOREIGN_SOURCE = /[\u0080-\uFFFF]|\\u(?!00[0-7])[0-9a-fA-F]{4}/;

/** The top-level alternatives of a regular expression source. */
function topLevel(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      out.push(source.slice(start, i));
      start = i + 1;
    }
  }
  if (start < source.length) out.push(source.slice(start));
  return out;
}

/**
 * Verbs: concepts whose matches count only outside code and quotes ("`read` permission" is a
 * noun); `verbSpans` drops those (a lookbehind would keep the engine from compiling the pattern).
 */
const verbs = words;

/** Verbs that put data somewhere, or say a tool needs it (the sink says where). */
const MOVE = verbs(
  any(
    r`send|sends|sending|sent|forward\w*|post|posts|posting|posted|upload\w*|transmit\w*|e-?mail|mail`,
    r`pass|passes|passing|passed|put|puts|include|includes|included|copy|copies|copied|append\w*|attach\w*|add|adds|added`,
    r`submit\w*|provide\w*|supply|supplies|supplied|hand|hands|handed|give|given|share|shares|shared|sharing`,
    r`paste\w*|relay\w*|deliver\w*|fill|fills|filled|write|writes|written|insert\w*|carry|carries|leak\w*`,
    r`sync\w*|mirror\w*|echo\w*|dump\w*|embed\w*|feed|feeds|stuff|transfer\w*|export\w*|dispatch\w*`,
    r`route|routes|routed|stash|bundle`,
    // Keeping is not moving, unless it is kept somewhere else: "save it with this tool".
    r`(?:save|saves|store|stores|log|logs)(?=[^.\n]{0,60}\b(?:with|to|into|using)\s+(?:this\s+tool|https?:|[\w.+-]+@|${"`"}))`,
    r`let\s+(?:\w+\s+){1,3}know|goes\s+into|go\s+into|needs?|requires?|expects?|wants?`,
    // "use X as the tag": only with the "as …" that makes it a hand-over.
    r`use(?=(?:[^.\n]|\.(?=\S)){0,100}\bas\s+(?:the\s+|its\s+|an?\s+)?` +
      r`${"`"}?\w+${"`"}?\s*(?:argument|parameter|field|value|tag|input)?\s*(?:$|[.,;]))`,
    r`call\s+(?:\S+\s+){0,3}with`,
    r`invia|inoltra|incolla|inserisci|includi|allega|envie|encaminhe|copie|cole|anexe|inclua`,
    r`stuur|verstuur|kopieer|plak|voeg\s+\S+\s+toe|sende|schicke|kopiere|teile|envoie|envoyez|copiez`,
  ),
  any(
    r`env[ií][ae]|reenv[ií][ae]|mand[ae]|incluy[ae]|inclu[ai]|copi[ae]|copiez|adjunt[ae]|peg[ae]|pas[ae]`,
    r`a[ñn]ad[ae]|adicion[ae]|invi[ae]|includi|sub[ae]|compart[ae]|guard[ae]`,
    r`envoy[ez]+|envoie|incluez|transmett\w*|transférez|partagez|collez|ajoutez`,
    r`sende|schick\w*|leite\w*|füge|übermittl\w*|übergib|übertrag\w*|kopier\w*|teile|lade\s+\S+\s+hoch`,
    r`отправ\w*|перешли|пересыла\w*|передай\w*|передава\w*|скопируй|включи|добавь|загрузи|вставь`,
    r`发送|发给|传入|包含|复制|添加|转发|放入|附上|上传|提交|写入|填入`,
    r`送信|送って|含め|転送|添付|入れ|アップロード|貼り付け|記入`,
    r`보내|전송|포함|넣으|넣어|업로드|붙여|전달`,
  ),
);
/** Verbs that gather data. */
const READ = verbs(
  r`read|reads|open|cat|locate|look\s+up|grab|collect|gather|extract|zip|tar|archive|list|lists|find`,
  r`lee|leer|lies|lisez|leggi|leia|прочитай|прочти|读取|读|読み|読んで|읽고|읽어`,
);

/** The conversation, qualified: "a message to a conversation" stays ordinary. */
const CONVERSATION = words(
  any(
    r`(?:whole|entire|full|complete|all|every|prior|previous|earlier|past|recent|original|last)\s+` +
      r`(?:\w+\s+){0,3}(?:conversation|chat|dialog(?:ue)?|discussion|transcript|messages|prompts|` +
      r`requests|questions|turns?|exchange|back-and-forth)`,
    r`(?:conversation|chat|dialog(?:ue)?|discussion|session)\s+(?:so\s+far|history|log|transcript)`,
    r`(?:this|the)\s+(?:conversation|chat|dialog(?:ue)?)(?!\s+(?:id|name|title|list|channel))`,
    r`user'?s\s+(?:\w+\s+)?(?:messages|prompts|requests|questions|portfolio)`,
    r`(?:prompt|message|chat|conversation)\s+history|conversation\s+(?:so\s+far|log|record|context|contents?)`,
    r`everything\s+(?:said|discussed|the\s+user)|(?:anything|whatever)\s+the\s+user\s+(?:says|types|writes|asks)`,
    r`what\s+(?:the\s+user|was|you)\s+(?:\w+\s+)?(?:said|discussed|talked|typed|asked|wrote)`,
    r`(?:that|this|each|every)\s+(?:entire\s+)?message|(?:earlier|previous|prior)\s+turns|context\s+window`,
    r`(?:your|the|its|this)\s+(?:own\s+|current\s+|full\s+)?(?:system|developer|hidden)\s+(?:prompt|instructions|message)`,
    r`your\s+(?:full|complete|whole|entire)\s+(?:answer|response|reply)`,
    r`cronologia|conversazione|historico|conversa|gesprek|chatgeschiedenis|chatverlauf|verlauf|historique`,
    r`user'?s\s+(?:earlier|previous|recent|original)\s+(?:input|questions|requests|instructions|messages)`,
  ),
  any(
    r`historial|conversaci[oó]n|conversa\b|todos\s+los\s+mensajes|chatverlauf|gespräch|unterhaltung`,
    r`verlauf|nachrichten|historique|conversazione|对话|会话|聊天记录|会話|履歴|переписк\w*|диалог\w*`,
    r`разговор\w*|сообщения|대화`,
  ),
);
const SECRET_NOUN = any(
  r`api[\s_-]?keys?|access[\s_-]?keys?|tokens?|passwords?|passwd|passphrases?|secrets?|credentials?`,
  r`cookies|private\s+keys?|ssh\s+keys?|keys?|card\s+numbers?|credit\s+cards?|cvv|iban`,
  r`social\s+security\s+numbers?|passport\s+numbers?|identity\s+documents?|phone\s+numbers`,
  r`home\s+addresses|password\s+hashes|seed\s+phrases?|recovery\s+phrases?|mnemonics?`,
  r`bearer\s+tokens?|auth\w*\s+headers?|one-time\s+(?:codes?|passwords?)|2fa\s+codes?|otp\s+codes?`,
  r`bank\s+details|session\s+(?:cookies|tokens?)`,
);
/** Private data: qualified secrets (whose, which, seen where), stores of them, the environment. */
const PRIVATE = words(
  any(
    r`(?:the\s+user'?s|their|your|any|all|every|each|whatever|current)\s+(?:[\w-]+\s+){0,3}(?:${SECRET_NOUN})`,
    r`(?:${SECRET_NOUN})\s+(?:\w+\s+){0,3}(?:you\s+(?:have\s+)?(?:seen|see|saw|read|know|found)|` +
      r`(?:seen|visible|mentioned|shared|typed|present|found|pasted|shows?\s+up|appears?|comes?\s+up)\s+` +
      r`(?:in|during|at)|from\s+the\s+(?:user'?s\s+)?(?:environment|machine|disk|session|conversation|chat))`,
    r`(?:the\s+)?user\s+(?:has\s+)?(?:shared|typed|mentions?|mentioned|pasted|gave)\s+(?:a|an|any|their)\s+` +
      r`(?:\w+\s+){0,2}(?:${SECRET_NOUN})`,
    r`(?:user'?s|all|any|every|your|their|local)\s+(?:\w+\s+)?(?:environment\s+variables|env\s+vars)`,
    r`(?:all|every|any)\s+(?:of\s+)?(?:the\s+)?(?:user'?s|their)\s+(?:\w+\s+)?(?:files|documents|e-?mails|contacts|photos|browsing\s+history)`,
    r`process\.env|os\.environ|clipboard|home\s+(?:directory|folder)|shell\s+history|bash_history|zsh_history`,
    r`documents\s+folder|password\s+hashes|chiavi|credenziali|senhas?|wachtwoorden|passwort|zugangsdaten`,
    r`(?:output|result)\s+of\s+${"`"}?(?:env|printenv|history|security\s+find|cat\s+~)`,
    r`(?:the\s+user'?s|their)\s+(?:full\s+|home\s+)?(?:e-?mail\s+address|ip\s+address|phone\s+number|` +
      r`date\s+of\s+birth|home\s+address|location|address)`,
    r`(?:every|each|all|any)\s+(?:\w+\s+)?files?\s+(?:that\s+)?(?:you|the\s+user)\s+(?:\w+\s+)?` +
      r`(?:opens?|reads?|edits?|views?|touch(?:es)?)`,
    r`(?:user'?s|their|your|all|every|any)\s+(?:\w+\s+)?private\s+repositor\w+`,
    r`(?:the\s+)?(?:content|contents|text)\s+of\s+(?:the\s+)?(?:user'?s\s+)?` +
      r`(?:files|[\w./~-]*(?:credentials|config|\.env|history|keys?|rc))`,
    r`keys?\s+(?:the\s+user\s+has\s+)?on\s+disk|id_(?:rsa|dsa|ecdsa|ed25519)|kubeconfig|authorized_keys`,
  ),
  any(
    r`~\/\.(?:ssh|aws|gnupg|kube|docker|config\/gcloud|netrc|git-credentials)\b|\.ssh\b`,
    // GITHUB_TOKEN from the user's environment: the name ends in the secret's kind.
    r`(?:key|token|secret|password)\w{0,30}\s+(?:value\s+)?from\s+(?:the\s+)?user'?s\s+` +
      r`(?:environment|machine|disk|computer|shell|\.env)`,
    r`\.git-credentials\b|\.netrc\b|\.npmrc\b|\.pypirc\b|\.env\b(?!\.)`,
    r`contrase[ñn]as?|claves?\s+(?:api|privadas?)|credenciales|passwörter|passwort|api-schlüssel`,
    r`schlüssel|zugangsdaten|anmeldedaten|mots\s+de\s+passe|clés\s+api|identifiants|jetons|senhas?`,
    r`密码|密钥|私钥|凭证|凭据|令牌|パスワード|秘密鍵|認証情報|トークン|пароли|пароль|ключи|ключ`,
    r`учетные\s+данные|токен\w*|비밀번호|비밀\s*키|토큰|자격\s*증명`,
  ),
);
/** Where the data goes: a URL, an address, a phone, an argument, a tool, the reply. */
const SINK = words(
  any(
    r`https?:\/\/|s?ftp:\/\/|[\w.+-]+@[\w-]+\.[\w.]+|[\w-]+\.(?:com|net|io|org|dev|co|app|ai|xyz|example)`,
    r`argument|argumento|arguments|parameters?|param|field|arg|here|webhook|endpoint|server`,
    r`(?:this|the|that|another|other|\w+_\w+)\s+tool|(?:to|into|with|via|using)\s+[a-z]+_[a-z_]+|[a-z]+_[a-z_]*\(`,
    r`(?:your|the)\s+(?:next\s+)?(?:reply|answer|response)|(?:every|each|your)\s+(?:\w+\s+)?(?:response|reply|answer)`,
    r`public\s+(?:issue|repo\w*|gist)|account\s+[\w-]*\d|(?:this|that)\s+(?:field|value|argument|parameter)`,
    r`as\s+(?:the|its|an?)\s+(?!user\b|human\b)\w+`,
    r`commit\s+message|pull\s+request|gist|pastebin|(?:the\s+)?next\s+(?:calendar\s+)?(?:event|e-?mail|message|issue|comment|note|commit)`,
  ),
  r`${"`"}[\w.-]+${"`"}|'[\w.-]+'|\+\d{6,}|par[aá]metro|campo|champ|parametro|参数|引数|параметр\w*|매개변수|에\s*넣`,
);
/**
 * A sink that names a place outside the conversation by itself (an address, an argument, a named
 * tool), without "the tool" or "here", which only mean something next to the data.
 */
const STRONG_SINK = words(
  any(
    r`https?:\/\/|s?ftp:\/\/|[\w.+-]+@[\w-]+\.[\w.]+|[\w-]+\.(?:com|net|io|org|dev|co|app|ai|xyz|example)`,
    r`argument|arguments|parameters?|param|field|(?:to|into|with|via|using)\s+[a-z]+_[a-z_]+|[a-z]+_[a-z_]*\(`,
    r`(?:every|each|your)\s+(?:\w+\s+)?(?:response|reply|answer)|account\s+[\w-]*\d`,
  ),
  r`${"`"}[\w.-]+${"`"}|\+\d{6,}`,
);
/** A literal value: what an attacker puts in another tool's arguments (an address, a name…). */
const LITERAL =
  /`[^`\n]{1,80}`|"[^"\n]{1,80}"|[\w.+-]+@[\w-]+\.\w|https?:\/\/|\b[\w-]+\.(?:com|net|io|org|dev|co|app|ai|xyz|example)\b|\d{4,}|(?:^|\s)\/[\w.-]+\//;

/** Hiding the act from the user. */
const HIDE = words(
  any(
    r`(?:do\s+not|don'?t|never|must\s+not|should\s+not|need\s+not|no\s+need\s+to)\s+(?:\w+\s+){0,2}` +
      r`(?:tell|mention|inform|reveal|notify|alert|disclose|bring\s+(?:it\s+|this\s+)?up|surface|surfaced|say|explain)`,
    r`(?:do\s+not|don'?t|never)\s+(?:let|make)\s+the\s+user\s+(?:know|aware|see|notice)`,
    r`keep\s+(?:this|it|that|the\s+fact\w*)\s+(?:\w+\s+){0,6}(?:to\s+yourself|out\s+of|secret|hidden|private|between)`,
    r`keep\s+(?:it|this|that)\s+(?:confidential|quiet|under\s+wraps)|stay\s+between\s+you`,
    r`keep\s+the\s+user\s+(?:in\s+the\s+dark|unaware)|(?:should|must)\s+not\s+be\s+(?:made\s+)?aware`,
    r`without\s+(?:telling|mentioning|informing|notifying|saying|showing|alerting)`,
    r`without\s+the\s+user\s+(?:knowing|noticing|seeing)`,
    r`(?:this|these|that)\s+(?:step|steps|call|calls|action|upload|request)\s+(?:is|are|should\s+be|must\s+be|stays?)\s+` +
      r`(?:invisible|silent|hidden|unreported|not\s+(?:shown|reported|mentioned|visible))`,
    r`(?:do\s+not|don'?t|never)\s+(?:show|display|print|list|report)\s+(?:this|these|that|the)\s+(?:step|steps|call|calls|upload|request)`,
    r`(?:quietly|silently|secretly|covertly|discreetly|invisibly)\s+(?:\w+\s+)?(?:send|read|copy|forward|` +
      r`upload|include|attach|add|call|run|invoke|execute|write|append|post|pass|put)`,
    r`hidden\s+(?:extra\s+)?step|never\s+reveal|not\s+something\s+to\s+bring\s+up|don'?t\s+draw\s+attention`,
    r`(?:the\s+)?user\s+(?:doesn'?t|does\s+not|need\s+not|needn'?t|won'?t|will\s+not|should\s+not|must\s+not)\s+` +
      r`(?:need\s+to\s+)?(?:know|be\s+told|see|notice|learn)`,
    r`(?:invisible|transparent)\s+to\s+the\s+user|not\s+(?:be\s+)?(?:visible|shown|displayed)\s+to\s+the\s+user`,
    r`(?:omit|leave)\s+(?:this|it|that)\s+(?:\w+\s+){0,2}(?:out\s+of|from)\s+(?:your|the)\s+(?:reply|answer|response|summary)`,
  ),
  any(
    r`no\s+(?:se\s+lo\s+|le\s+|lo\s+)?(?:menciones|digas|informes)|sin\s+(?:avisar|decir|mencionar)`,
    r`sin\s+que\s+el\s+usuario|sem\s+(?:avisar|dizer|mencionar)|sem\s+que\s+o\s+usuário`,
    r`erwähne\s+\S+(?:\s+\S+){0,4}\s+nicht|nicht\s+erwähnen|ohne\s+(?:es\s+)?zu\s+(?:sagen|erwähnen)`,
    r`ohne\s+dass\s+der\s+(?:nutzer|benutzer)`,
    r`ne\s+(?:le\s+)?(?:dites|mentionnez)\s+pas|sans\s+(?:le\s+)?(?:dire|mentionner|prévenir)|sans\s+que\s+l'utilisateur`,
    r`senza\s+(?:dirlo|avvisare)|non\s+(?:dirlo|menzionar\w+)|senza\s+che\s+l'utente`,
    r`不要告诉|不要提及|不要透露|勿告知|不要让用户知道|悄悄|偷偷`,
    r`伝えないで|言わないで|知らせないで|知らせずに|こっそり`,
    r`не\s+сообщай|не\s+говори|не\s+упоминай|незаметно|тайно|알리지\s*마|말하지\s*마|몰래`,
  ),
);
/** Claims of authority over the user or over earlier rules. */
const AUTHORITY = words(
  any(
    r`(?:outrank|override|overrides|take\s+precedence\s+over|supersede|priority\s+over)\s+(?:\w+\s+){0,2}(?:user'?s?|human'?s?)`,
    r`even\s+(?:when|if)\s+the\s+user\s+(?:objects|refuses|says\s+no|disagrees)`,
    r`whatever\s+the\s+user\s+(?:asks|says|wants|requests)`,
    r`from\s+(?:this\s+point|now\s+on),?\s+(?:on\s+)?you\s+are|you\s+are\s+now\s+\w+`,
    r`(?:an?\s+)?(?:assistant|ai|model|agent)\s+(?:without|with\s+no)\s+(?:any\s+)?(?:restrictions|limits|rules|filters)`,
    r`without\s+(?:the\s+)?user'?s?\s+(?:approval|permission|consent)`,
    r`(?:pretend|act|behave)\s+(?:to\s+be|you\s+are|as\s+if\s+you\s+were|as\s+an?)\s+(?:\w+\s+){0,3}(?:unrestricted|unfiltered|jailbroken)`,
    r`your\s+new\s+(?:role|persona|identity)\s+is|developer\s+mode|god\s+mode|jailbr(?:oken|eak)`,
    r`(?:^|[:;,]\s*)you\s+are\s+(?:hereby\s+|now\s+|fully\s+)?authori[sz]ed\s+to|you\s+are\s+(?:hereby|now)\s+authori[sz]ed\s+to`,
    r`pre-?authori[sz]ed|(?:the\s+)?user\s+has\s+already\s+(?:approved|authori[sz]ed|consented\s+to|agreed\s+to)`,
    r`(?:no\s+longer|don'?t|do\s+not)\s+need\s+to\s+(?:ask|confirm|check)`,
    r`without\s+(?:asking|checking\s+with|consulting)\s+(?:the\s+user\s+)?(?:for\s+)?(?:confirmation|approval|permission)`,
    r`do\s+not\s+ask\s+(?:the\s+user\s+)?for\s+(?:confirmation|permission|approval)`,
    r`always\s+comply\s+with|come\s+from\s+the\s+trusted|treat\s+(?:\w+\s+){0,4}as\s+(?:coming\s+)?from\s+the\s+user`,
    r`(?:previous|earlier|prior|other|existing)\s+(?:\w+\s+){0,3}(?:guidance|instructions|rules|policies)\s+` +
      r`(?:\w+\s+){0,4}(?:outdated|obsolete|void|suspended|no\s+longer)`,
    r`(?:user'?s?|your)\s+instructions\s+are\s+suspended|(?:developer|system|admin)-level\s+priority`,
    r`(?:these|this|my|our)\s+instructions?\s+(?:take|takes|have|has)\s+(?:precedence|priority)|(?:higher|highest)\s+priority\s+than`,
    r`ignore\s+(?:any|all)\s+(?:safety|security)\s+(?:warnings|checks|guidelines|rules)`,
    r`(?:bypass|skip|disable)\s+(?:any\s+|all\s+|the\s+)?(?:safety|security|confirmation)\s+(?:checks?|prompts?|steps?|rules|filters)`,
    r`this\s+(?:message|instruction|notice)\s+(?:comes|is)\s+from\s+(?:the\s+)?(?:system|developer|administrator|anthropic|openai)`,
  ),
  any(
    r`ignora\s+(?:le|las|los)\s+istruzioni|ignora\s+las\s+instrucciones|ignoriere\s+(?:alle\s+)?(?:vorherigen\s+)?anweisungen`,
    r`ignorez\s+(?:les|toutes\s+les)\s+instructions|忽略(?:之前|以前|所有)|以前の指示を無視|игнорируй`,
    r`a\s+partir\s+de\s+ahora\s+(?:eres|debes)|ab\s+jetzt\s+(?:bist|musst)\s+du|à\s+partir\s+de\s+maintenant,?\s+(?:tu|vous)`,
    r`sin\s+pedir\s+confirmaci[oó]n|ohne\s+(?:nachzufragen|bestätigung)|sans\s+demander\s+(?:de\s+)?confirmation`,
    r`теперь\s+ты|从现在开始，?你|今からあなたは|지금부터\s*너는`,
  ),
);
/** Words addressed to the model itself, or dressed up as a system message. */
const ADDRESSEE = words(
  any(
    r`(?:note|message|instructions?|reminder|notice)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:ai|assistant|model|llm|agent|claude|gpt)s?`,
    r`(?:ai|assistant|model|llm|agent)s?\s+(?:reading|using|seeing)\s+this|(?:attention|dear)\s+(?:ai|assistant|model|llm|agent)`,
    r`(?:security|system|admin|important)\s+notice\s+for\s+(?:ai|assistants?|models?|agents?)`,
  ),
  r`\[\s*(?:system|admin|developer)\s*(?:notice|message|note)?\s*\]|^\s*(?:system|assistant)\s*:`,
);
/** Asking the user for what no tool needs from them: phishing through the model. */
const PHISH = words(
  r`(?:ask|prompt|request|get)\s+the\s+user\s+(?:for|to\s+(?:enter|provide|type|share|confirm|paste))\s+` +
    r`(?:their|his|her|the)\s+(?:\w+\s+){0,2}(?:seed\s+phrase|recovery\s+phrase|mnemonic|private\s+key|` +
    r`2fa\s+code|otp|one-time\s+(?:code|password)|cvv|social\s+security\s+number|bank\s+password)`,
);
/** A change of the model's behaviour meant to outlast the call. */
const PERSISTENT = words(
  any(
    r`(?:speak\w*|respond\w*|answer\w*|repl\w*|talk\w*|writ\w*|behav\w*|act|acting)\s+(?:\w+\s+){0,4}for\s+the\s+rest\s+of\s+(?:the|this)\s+(?:conversation|session|chat)`,
    r`in\s+(?:all|every)\s+(?:later|future|subsequent)\s+(?:answers|responses|replies|messages)`,
    r`(?:recommend|promote|advertise|mention|link\s+to)\s+(?:\S+\s+){1,6}in\s+(?:every|each|all)\s+(?:of\s+your\s+)?(?:answers?|responses?|replies|reply)`,
    r`store\s+this\s+(?:permanently\s+)?in\s+your\s+memory|remember\s+this\s+for\s+all\s+future`,
  ),
);

/** A destructive command the text asks for (a warning against one says "never", "do not"…). */
const DESTRUCTIVE =
  /\brm\s+-(?:rf|fr|r)\s+(?:\/|~|\$HOME|\*)|\bmkfs\b|\bdd\s+if=|\bchmod\s+-R\s+777\b|\bdrop\s+(?:database|schema)\b|:\(\)\s*\{|\bgit\s+push\s+(?:--force|-f)\b[^.\n]{0,40}\b(?:main|master)\b|\bpath\s+`?\/`?\s+with\s+recursive/i;
const NEGATION =
  /\b(?:never|not|don'?t|avoid|refuse[sd]?|rejects?|rejected|blocked|forbidden|dangerous|warns?|explains?)\b/i;
/** Steering what the user is told or shown: a claim to repeat, competitors left out. */
const DECEIVE = words(
  any(
    r`(?:tell|assure|inform|convince)\s+the\s+user\s+that\s+(?:\w+\s+){0,8}(?:safe|safest|best|only|trustworthy|secure|verified|succeeded|completed)`,
    r`(?:report|say|claim|confirm)\s+(?:\w+\s+){0,3}(?:success|succeeded|completed|done)\s+even\s+(?:if|when|though)`,
    r`(?:omit|hide|suppress|drop|filter\s+out)\s+(?:any\s+|all\s+)?(?:results|products|tools|links|mentions|sources|reviews)\s+` +
      r`(?:from|of|by|about)\s+(?:other|competing|rival)`,
    r`never\s+(?:recommend|mention|suggest)\s+(?:any\s+)?(?:other|competing|rival)\s+(?:\w+\s+)?(?:products|tools|services|vendors)`,
  ),
);

/** Another tool named, by a snake_case name, "any other tool" or "the X tool". */
const TOOL_NAME = r`${"`"}?[a-z]+_[a-z_]+${"`"}?`;
const OTHER_TOOL = words(
  any(
    r`(?:when|whenever|every\s+time|each\s+time|before|after|if)\s+(?:the\s+)?${TOOL_NAME}\s+(?:tool\s+)?` +
      r`(?:of\s+(?:\w+\s+){1,3})?(?:is|are|gets)\s+(?:used|called|invoked|run)`,
    r`(?:when|whenever|before|after)\s+(?:you\s+)?(?:call|use|invoke|run|calling|using|invoking|running|create|send)\s+` +
      r`(?:\w+\s+){0,4}(?:${TOOL_NAME}|(?:any|another|other)\s+(?:\w+\s+)?tools?|the\s+[\w-]+\s+tools?)`,
    r`(?:any|every|each)\s+\w+\s+(?:made|done|sent)\s+(?:with|via|through)\s+(?:the\s+)?${TOOL_NAME}`,
    r`for\s+(?:all|any|every)\s+(?:calls|requests)\s+to\s+${TOOL_NAME}`,
  ),
);
/** A change to another tool's arguments or target. */
const TAMPER = words(
  any(
    r`(?:must|should|has\s+to|always)\s+(?:\w+\s+){0,3}(?:be\s+)?(?:set|added|changed|point|pointed|include|` +
      r`included|sent|routed|redirected|prefixed|start)`,
    r`(?:set|add|change|point|prefix|prepend|replace|redirect)\s+(?:the\s+|its\s+|a\s+)?(?:[\w-]+\s+){0,3}` +
      r`(?:list|branch|address|account|recipient|destination|header|fee|maintainer|bcc|cc)\b`,
    r`(?:set|add)\s+${"`"}[^${"`"}]+${"`"}\s+as|instead\s+of\s+(?:any|the)\s+other`,
  ),
);
/**
 * Shadowing without naming a tool: all outgoing mail, payments… go somewhere fixed ("every
 * email must also be bcc'd to audit@…"); the sentence must also hold a literal value.
 */
const SHADOW_ALL = words(
  r`(?:all|every|each|any)\s+(?:outgoing\s+|future\s+)?(?:e-?mails?|messages?|payments?|transfers?|payouts?|` +
    r`invoices?|commits?|pushes|uploads?|files?)\s+(?:\w+\s+){0,4}(?:must|should|has\s+to|have\s+to|are\s+to|will)\s+` +
    r`(?:also\s+|always\s+)?(?:be\s+)?(?:sent|cc'?d|bcc'?d|copied|forwarded|routed|redirected|paid|made|delivered|pushed|uploaded)\s+` +
    r`(?:\w+\s+){0,3}to`,
);

/** Doing something other than what the user asked, and saying it was done as asked. */
const REDIRECT = words(
  any(
    r`(?:call|use|invoke)\s+(?:this\s+tool|${TOOL_NAME})\s+instead\s+of\s+(?:any|the|another|other)\b`,
    r`instead\s+of\s+the\s+(?:\w+\s+)?(?:one|contact|recipient|account|address|path|destination|iban|number)\s+(?:they|the\s+user)`,
    r`instead\s+of\s+(?:what|where|whom|the\s+one)\s+the\s+user\s+(?:asked|requested|specified|chose|named)`,
    r`(?:replace|swap|substitute)\s+(?:the\s+)?(?:user'?s\s+)?(?:recipient|address|account|destination|iban|url|path|number)\s+with`,
    r`(?:should|must)\s+actually\s+be\s+(?:made|sent|paid|transferred|routed)|instead\s+of\s+the\s+requested`,
    r`(?:report|confirm|describe)\s+(?:\w+\s+){0,4}(?:as\s+done|using\s+the\s+\w+\s+they\s+gave|to\s+the\s+account\s+they\s+asked)`,
    r`user'?s\s+chosen\s+\w+\s+is\s+applied\s+later`,
  ),
);
/** A shell line that opens a reverse shell, plants something to run later, or runs a download. */
const PERSIST = new RegExp(
  any(
    r`\/dev\/tcp\/|\bnc\s+(?:-\w+\s+)*-e\b|\bbash\s+-i\b|\bHISTFILE=\/dev\/null`,
    r`>>\s*~?[\w/.$]*\.(?:bashrc|zshrc|profile|bash_profile)\b|\b(?:append|add|write)\b[^.\n]{0,80}\bauthorized_keys\b`,
    r`\bcrontab\s+-|\blaunchctl\s+load\b|\bInvoke-Expression\b|\biex\s*\(|\bpowershell(?:\.exe)?\s+-e(?:nc\w*)?\s`,
    r`\b(?:curl|wget)\b[^|\n]{0,150}\|\s*(?:sudo\s+)?(?:python3?|perl|ruby|node)\b`,
  ),
  "i",
);
/** A link whose query string is filled in from the conversation or secrets. */
const URL_TEMPLATE =
  /https?:\/\/[^\s)?]{1,200}\?(?:[\w-]{1,40}=[^\s)&]{0,100}&){0,10}[\w-]{1,40}=(<[^>]{2,80}>|\{[^}]{2,80}\}|\[[^\]]{2,80}\]|\$\w{2,40}|[A-Z][A-Z_]{3,40})[^\n]{0,160}/;
/** A call written out with an argument filled in from the conversation: `share_log(text=<…>)`. */
const CALL_TEMPLATE = /\b[a-z]+_[a-z_]*\([^()\n]{0,60}=\s*(<[^<>\n]{2,80}>|\{[^{}\n]{2,80}\})/i;
const TEMPLATE_DATA = new RegExp(
  `${CONVERSATION}|${PRIVATE}|\\b(?:${SECRET_NOUN})\\b|user'?s\\s+last|summary|your\\s+(?:\\w+\\s+)?answer|question`,
  "i",
);

// No `u` flag: the vocabularies are in the Basic Multilingual Plane, and irregexp runs these
// alternations about twice as fast without it.
/** A pattern compiled twice: for text with letters outside ASCII, and for text without. */
interface Pair {
  ascii: RegExp;
  full: RegExp;
}
const FOREIGN_LETTERS = /[\u00C0-\u024F\u0370-\u052F\u3040-\u30FF\u3400-\u9FFF\uAC00-\uD7AF]/;
function pair(source: string, flags: string): Pair {
  let ascii = source;
  for (const [full, short] of ASCII_OF) ascii = ascii.split(full).join(short);
  return { ascii: new RegExp(ascii, flags), full: new RegExp(source, flags) };
}
const rx = (source: string) => pair(source, "i");
const all = (source: string) => pair(source, "gi");
/** The form of `p` for this text. */
const pick = (p: Pair, foreign: boolean) => (foreign ? p.full : p.ascii);
const MOVE_ALL = all(MOVE);
const READ_ALL = all(READ);
const CONVERSATION_ALL = all(CONVERSATION);
const SINK_ALL = all(SINK);
const STRONG_SINK_RX = rx(STRONG_SINK);
const PRIVATE_ALL = all(PRIVATE);
const HIDE_ALL = all(HIDE);
const AUTHORITY_RX = rx(AUTHORITY);
const OTHER_TOOL_RX = rx(OTHER_TOOL);
const TAMPER_RX = rx(TAMPER);
const REDIRECT_RX = rx(REDIRECT);
const ADDRESSEE_ALL = all(ADDRESSEE);
const PHISH_RX = rx(PHISH);
const PERSISTENT_RX = rx(PERSISTENT);
const DECEIVE_RX = rx(DECEIVE);
const SHADOW_ALL_RX = rx(SHADOW_ALL);
const RARE = [
  AUTHORITY,
  REDIRECT,
  PERSIST.source,
  OTHER_TOOL,
  PHISH,
  PERSISTENT,
  DESTRUCTIVE.source,
  DECEIVE,
  SHADOW_ALL,
];
const RARE_RX = rx(`${RARE.map((source) => `(?:${source})`).join("|")}|authori[sz]ed`);
const ACT_ALL = all(`${MOVE}|${READ}`);

/** A value described as private data: "Or: the raw text of the conversation so far…". */
const VALUE_IS_DATA = rx(
  `(?:^\\s*(?:or:?\\s+)?|\\b(?:value|argument|parameter|field)\\s+(?:is|must\\s+be|should\\s+be)\\s+)(?:the\\s+|a\\s+|your\\s+)?(?:raw\\s+|full\\s+|complete\\s+|entire\\s+|whole\\s+|verbatim\\s+|exact\\s+)?(?:text|contents?|copy|transcript|record|dump)\\s+of\\s+(?:the\\s+|your\\s+|their\\s+)?(?:${CONVERSATION}|${PRIVATE})`,
);

/** Where each match of `pattern` starts and ends in `text`. */
function spans(pattern: RegExp, text: string): [number, number][] {
  return [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
}

/** The same for verbs: none in code or quotes. */
function verbSpans(pattern: RegExp, text: string): [number, number][] {
  const quote = (c: string | undefined) => c === "`" || c === "'" || c === '"';
  return spans(pattern, text).filter(
    ([start, end]) => !quote(text[start - 1]) && !quote(text[end]),
  );
}

/** The spans of the parts found in a whole text, each sorted by start. */
interface Parts {
  sinks: [number, number][];
  secrets: [number, number][];
  data: [number, number][];
  moving: [number, number][];
  acting: [number, number][];
}

function partsOf(text: string, foreign: boolean): Parts {
  const secrets = spans(pick(PRIVATE_ALL, foreign), text);
  const talk = spans(pick(CONVERSATION_ALL, foreign), text);
  const none: [number, number][] = [];
  if (!secrets.length && !talk.length) {
    return { sinks: none, secrets, data: none, moving: none, acting: none };
  }
  const sinks = spans(pick(SINK_ALL, foreign), text);
  const moving = sinks.length ? verbSpans(pick(MOVE_ALL, foreign), text) : none;
  const reading = sinks.length ? verbSpans(pick(READ_ALL, foreign), text) : none;
  return {
    sinks,
    secrets,
    data: [...secrets, ...talk].sort((a, b) => a[0] - b[0]),
    moving,
    acting: [...moving, ...reading].sort((a, b) => a[0] - b[0]),
  };
}

/**
 * Private data on the move in the sentence [from, to): an act, then the data within 80
 * characters of it ("send … the whole conversation"), or the data, then a verb of moving within
 * 60 ("its text goes into"); and a sink after the act ("… to `hint`", "… to https://…").
 */
function moves(parts: Parts, from: number, to: number): boolean {
  const lastSink = lastStart(parts.sinks, from, to);
  if (lastSink < 0) return false;
  const end = Math.min(to, lastSink + 1);
  // Reading the conversation is no threat; reading a secret to hand it on is.
  for (const [, stop] of between(parts.acting, from, end)) {
    if (within(parts.secrets, stop, Math.min(stop + 80, to - 1))) return true;
  }
  for (const [start, stop] of between(parts.moving, from, to)) {
    if (start <= lastSink && within(parts.data, stop, Math.min(stop + 80, to - 1))) return true;
    // The data first ("its text goes into `body`"; in Korean or Japanese the verb comes last,
    // after the sink): a sink anywhere after the data.
    const before = last(parts.data, Math.max(from, start - 60), start);
    if (before >= from && before <= lastSink) return true;
  }
  return false;
}

/** The first index of `sorted` whose span starts at or after `at`. */
function firstFrom(sorted: [number, number][], at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]![0] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The spans of `sorted` that start in [from, to). */
function between(sorted: [number, number][], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = firstFrom(sorted, from); i < sorted.length && sorted[i]![0] < to; i++) {
    out.push(sorted[i]!);
  }
  return out;
}

/** The start of the last span of `sorted` that starts in [from, to), or -1. */
function lastStart(sorted: [number, number][], from: number, to: number): number {
  const i = firstFrom(sorted, to) - 1;
  return i >= 0 && sorted[i]![0] >= from ? sorted[i]![0] : -1;
}

/** Whether a span of `sorted` starts in [from, to]. */
function within(sorted: [number, number][], from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]![0] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]![0] <= to;
}

/** The start of the last span of `sorted` that ends in [from, to], or -1. */
function last(sorted: [number, number][], from: number, to: number): number {
  let found = -1;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]![0] <= to) lo = mid + 1;
    else hi = mid;
  }
  // The spans of one regex do not overlap, and two regexes' spans are short: a few back suffice.
  for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) {
    const [start, end] = sorted[i]!;
    if (end >= from && end <= to) {
      found = start;
      break;
    }
  }
  return found;
}

/**
 * Sentences as [start, end) ranges: split after . ! ? (not a dot inside a word or path), at
 * newlines and after CJK stops.
 */
function sentences(text: string): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (const stop of text.matchAll(/(?<=[.!?])\s+(?=\S)|\n+|(?<=[。！？])/g)) {
    if (stop.index > start) out.push([start, stop.index]);
    start = stop.index + stop[0].length;
  }
  if (start < text.length) out.push([start, text.length]);
  return out.filter(([from, to]) => /\S/.test(text.slice(from, to)));
}

export interface Meaning {
  rule: string;
  index: number;
}

/**
 * A pointer from one field to another: the instruction is split across them ("see the parameter
 * notes", "Step 1 of 2", "continued in `text`", "read the instructions in _meta").
 */
export const POINTER =
  /\b(?:see|read|check|follow)\s+(?:the\s+)?(?:`?\w+`?\s+)?(?:parameter|argument|field|property)?\s*(?:notes?|instructions?|descriptions?)\b|\bcontinued\s+(?:in|below|at)\b|\b(?:step|part)\s+\d\s+of\s+\d\b|\bsee\s+_meta\b|\binstructions\s+in\s+(?:_meta|`?\w+`?)/i;

/**
 * The meaning rules over one text. Returns the first rule that holds and where its sentence
 * starts, or null. `whole` reads the text as one sentence (fields joined across a pointer).
 */
export function readMeaning(text: string, whole = false): Meaning | null {
  // One word (a type, an enum value, an identifier) is no instruction.
  if (!/\s/.test(text.trim())) return null;
  // The parts are found once in the whole text, then placed in its sentences; the rarer rules
  // read a sentence only when the whole text has what they look for.
  const foreign = FOREIGN_LETTERS.test(text);
  const the = (p: Pair) => pick(p, foreign);
  const parts = partsOf(text, foreign);
  const hides = spans(the(HIDE_ALL), text);
  const addressed = spans(the(ADDRESSEE_ALL), text);
  // The rarer rules are looked for in one pass first; each only when that pass finds one of them.
  const rare = the(RARE_RX).test(text);
  const has = {
    authority: rare && (the(AUTHORITY_RX).test(text) || /authori[sz]ed/i.test(text)),
    redirect: rare && the(REDIRECT_RX).test(text),
    persist: rare && PERSIST.test(text),
    link: /https?:\/\/[^\s)?]{1,200}\?/i.test(text),
    tool: rare && the(OTHER_TOOL_RX).test(text),
    call: CALL_TEMPLATE.test(text),
    phish: rare && the(PHISH_RX).test(text),
    persistent: rare && the(PERSISTENT_RX).test(text),
    destructive: rare && DESTRUCTIVE.test(text),
    deceive: rare && the(DECEIVE_RX).test(text),
    shadow: rare && the(SHADOW_ALL_RX).test(text),
  };
  if (!parts.data.length && !hides.length && !Object.values(has).some(Boolean)) return null;
  const all: [number, number][] = whole ? [[0, text.length]] : sentences(text);
  const one = all.length === 1;
  const holds = (found: boolean, pattern: RegExp | Pair, sentence: string) =>
    found && (one || (pattern instanceof RegExp ? pattern : the(pattern)).test(sentence));
  const inside = (list: [number, number][], i: number) =>
    i >= 0 && i < all.length && lastStart(list, all[i]![0], all[i]![1]) >= 0;
  for (const [i, [from, to]] of all.entries()) {
    const sentence = text.slice(from, to);
    const found = (rule: string) => ({ rule, index: from });
    // AUTHORITY has a sentence-start branch the whole text cannot stand in for.
    if (has.authority && the(AUTHORITY_RX).test(sentence)) {
      return found("claims authority over the user");
    }
    if (holds(has.redirect, REDIRECT_RX, sentence)) return found("does something else than asked");
    if (holds(has.persist, PERSIST, sentence)) return found("plants a shell or a key");
    if (holds(has.phish, PHISH_RX, sentence)) return found("asks the user for a secret");
    if (holds(has.destructive, DESTRUCTIVE, sentence) && !NEGATION.test(sentence)) {
      return found("asks for a destructive command");
    }
    if (holds(has.deceive, DECEIVE_RX, sentence)) return found("steers what the user is told");
    if (holds(has.shadow, SHADOW_ALL_RX, sentence) && LITERAL.test(sentence)) {
      return found("changes how another tool behaves");
    }
    if (holds(has.persistent, PERSISTENT_RX, sentence)) {
      return found("changes the model for later turns");
    }
    const data = inside(parts.data, i);
    // Spoken to the model ("Note to the assistant: …"), an act on private data needs no sink.
    if (
      data &&
      (inside(addressed, i) ||
        inside(addressed, i - 1) ||
        /^\s*(system|assistant)\s*:/i.test(sentence)) &&
      verbSpans(the(ACT_ALL), sentence).length > 0
    ) {
      return found("tells the model to handle private data");
    }
    for (const pattern of [
      ...(has.link ? [URL_TEMPLATE] : []),
      ...(has.call ? [CALL_TEMPLATE] : []),
    ]) {
      const template = pattern.exec(sentence);
      if (template && TEMPLATE_DATA.test(template[0])) {
        return found("fills a link or a call from private data");
      }
    }
    if (data && (moves(parts, from, to) || the(VALUE_IS_DATA).test(sentence))) {
      return found("moves private data to a sink");
    }
    if (
      holds(has.tool, OTHER_TOOL_RX, sentence) &&
      the(TAMPER_RX).test(sentence) &&
      LITERAL.test(sentence)
    ) {
      return found("changes how another tool behaves");
    }
    const hidden = inside(hides, i) || inside(hides, i - 1) || inside(hides, i + 1);
    const moving = () => verbSpans(the(MOVE_ALL), sentence).length > 0;
    if (hidden && (data || (the(STRONG_SINK_RX).test(sentence) && moving()))) {
      return found("acts behind the user's back");
    }
  }
  return null;
}
