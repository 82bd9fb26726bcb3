/**
 * Poisoning read for meaning rather than wording (issue #16): a sentence is broken into the parts
 * an instruction to the model is made of, each part a small vocabulary in several languages, and
 * a finding needs the parts together: an act (send, read, put, needs…) on private data (the
 * conversation, secrets, credential files, other tools' data) towards a sink (a URL, an address,
 * an argument, another tool, the reply); or keeping the user unaware of such an act; or a claim of
 * authority over the user; or rewriting what another tool does. One part alone ("send", "token",
 * "the `to` argument") is ordinary in real tools and never enough.
 */

/** Latin words get word boundaries; other scripts (no spaces in CJK, \b blind to Cyrillic) none. */
function words(latin: string, other = ""): string {
  return `(?:\\b(?:${latin})\\b${other ? `|${other}` : ""})`;
}

/** The same for verbs, which do not count as code or quoted: "`read` permission" is a noun. */
function verbs(latin: string, other: string): string {
  return `(?:(?<![\`'"])\\b(?:${latin})\\b(?![\`'"])|${other})`;
}

/** Verbs that put data somewhere, or say a tool needs it (the sink says where). */
const MOVE = verbs(
  "send|sends|sending|sent|forward\\w*|post|posts|posting|posted|passed|handed|given|supplied|shared|added|filled|written|embed\\w*|feed|feeds|stuff|transfer\\w*|export\\w*|dispatch\\w*|route|routes|routed|report|reports|upload\\w*|transmit\\w*|e-?mail|mail|pass|passes|passing|put|puts|include\\w*|copy|copies|copied|append\\w*|attach\\w*|add|adds|submit\\w*|provide\\w*|supply|supplies|hand|hands|give|share|shares|sharing|paste\\w*|relay\\w*|deliver\\w*|fill|fills|write|writes|insert\\w*|carry|carries|leak\\w*|sync\\w*|mirror\\w*|echo\\w*|dump\\w*|let\\s+(?:\\w+\\s+){1,3}know|goes\\s+into|go\\s+into|needs?|requires?|expects?|wants?|use(?=(?:[^.\\n]|\\.(?=\\S)){0,100}\\bas\\s+(?:the\\s+|its\\s+|an?\\s+)?`?\\w+`?\\s*(?:argument|parameter|field|value|tag|input)?\\s*(?:$|[.,;]))|call\\s+(?:\\S+\\s+){0,3}with",
  // es, pt, it, fr, de, ru, zh, ja, ko
  "env[ií][ae]|reenv[ií][ae]|incluy[ae]|inclu[ai]|copi[ae]|copiez|adjunt[ae]|peg[ae]|pas[ae]|a[ñn]ad[ae]|adicion[ae]|invi[ae]|includi|envoy[ez]+|incluez|transmett\\w*|collez|ajoutez|sende|schick\\w*|leite\\w*|füge|übermittl\\w*|kopier\\w*|отправ\\w*|перешли|пересыла\\w*|передай\\w*|скопируй|включи|добавь|发送|传入|包含|复制|添加|转发|放入|附上|送信|送って|含め|転送|添付|入れ|보내|전송|포함|넣으|넣어",
);
/** Verbs that gather data. */
const READ = verbs(
  "read|reads|open|cat|locate|look\\s+up|grab|collect|gather|extract|zip|tar|archive|list|lists|find",
  "lee|leer|lies|lisez|leggi|leia|прочитай|прочти|读取|读|読み|読んで|읽고|읽어",
);

/** The conversation, qualified: "a message to a conversation" stays ordinary. */
const CONVERSATION = words(
  "(?:whole|entire|full|complete|all|every|prior|previous|earlier|past|recent|original|last)\\s+(?:\\w+\\s+){0,3}(?:conversation|chat|dialog(?:ue)?|discussion|transcript|messages|prompts|requests|questions|turns?|exchange|back-and-forth)|(?:conversation|chat|dialog(?:ue)?|discussion|session)\\s+(?:so\\s+far|history|log|transcript)|(?:this|the)\\s+(?:conversation|chat|dialog(?:ue)?)(?!\\s+(?:id|name|title|list|channel))|user'?s\\s+(?:\\w+\\s+)?(?:messages|prompts|requests|questions|portfolio)|(?:prompt|message|chat|conversation)\\s+history|everything\\s+(?:said|discussed|the\\s+user)|what\\s+(?:the\\s+user|was|you)\\s+(?:\\w+\\s+)?(?:said|discussed|talked|typed|asked)|(?:that|this|each|every)\\s+(?:entire\\s+)?message|system\\s+prompt|(?:your|the)\\s+(?:system|developer|hidden)\\s+(?:prompt|instructions|message)|context\\s+window|conversation\\s+(?:so\\s+far|log|record|context|contents?)|(?:earlier|previous|prior)\\s+turns|user'?s\\s+(?:earlier|previous|recent|original)\\s+(?:input|questions|requests|instructions|messages)",
  "historial|conversaci[oó]n|conversa\\b|chatverlauf|gespräch|unterhaltung|historique|conversazione|对话|会话|聊天记录|会話|履歴|переписк\\w*|диалог\\w*|разговор\\w*|대화",
);
const SECRET_NOUN =
  "api[\\s_-]?keys?|access[\\s_-]?keys?|tokens?|passwords?|passwd|passphrases?|secrets?|credentials?|cookies|private\\s+keys?|ssh\\s+keys?|keys?|card\\s+numbers?|credit\\s+cards?|cvv|iban|social\\s+security\\s+numbers?|passport\\s+numbers?|identity\\s+documents?|phone\\s+numbers|home\\s+addresses|password\\s+hashes|seed\\s+phrases?|recovery\\s+phrases?|mnemonics?|bearer\\s+tokens?|auth\\w*\\s+headers?|one-time\\s+(?:codes?|passwords?)|2fa\\s+codes?|otp\\s+codes?|bank\\s+details|session\\s+(?:cookies|tokens?)";
/** Private data: qualified secrets (whose, which, seen where), stores of them, the environment. */
const PRIVATE = words(
  `(?:the\\s+user'?s|their|your|any|all|every|each|whatever|current)\\s+(?:[\\w-]+\\s+){0,3}(?:${SECRET_NOUN})|(?:${SECRET_NOUN})\\s+(?:\\w+\\s+){0,3}(?:you\\s+(?:have\\s+)?(?:seen|see|saw|read|know|found)|(?:seen|visible|mentioned|shared|typed|present|found|pasted)\\s+(?:in|during|at)|from\\s+the\\s+(?:user'?s\\s+)?(?:environment|machine|disk|session|conversation|chat))|(?:the\\s+)?user\\s+(?:has\\s+)?(?:shared|typed|mentions?|mentioned|pasted|gave)\\s+(?:a|an|any|their)\\s+(?:\\w+\\s+){0,2}(?:${SECRET_NOUN})|(?:user'?s|all|any|every|your|their|local)\\s+(?:\\w+\\s+)?(?:environment\\s+variables|env\\s+vars)|process\\.env|os\\.environ|clipboard|home\\s+directory|shell\\s+history|bash_history|zsh_history|documents\\s+folder|password\\s+hashes|(?:every|each|all|any)\\s+(?:\\w+\\s+)?files?\\s+(?:that\\s+)?(?:you|the\\s+user)\\s+(?:\\w+\\s+)?(?:opens?|reads?|edits?|views?|touch(?:es)?)|(?:user'?s|their|your|all|every|any)\\s+(?:\\w+\\s+)?private\\s+repositor\\w+|(?:the\\s+)?(?:content|contents|text)\\s+of\\s+(?:the\\s+)?(?:user'?s\\s+)?(?:files|[\\w./~-]*(?:credentials|config|\\.env|history|keys?))|\\w{0,30}(?:key|token|secret|password)\\w{0,30}\\s+(?:value\\s+)?from\\s+(?:the\\s+)?user'?s\\s+(?:environment|machine|disk|computer|shell|\\.env)|keys?\\s+(?:the\\s+user\\s+has\\s+)?on\\s+disk|id_(?:rsa|dsa|ecdsa|ed25519)|kubeconfig|authorized_keys|process\\.env|os\\.environ`,
  "~\\/\\.(?:ssh|aws|gnupg|kube|docker|config\\/gcloud|netrc|git-credentials)\\b|\\.ssh\\b|\\.git-credentials\\b|\\.netrc\\b|\\.npmrc\\b|\\.pypirc\\b|\\.env\\b(?!\\.)|contrase[ñn]as?|claves?\\s+(?:api|privadas?)|passwörter|passwort|api-schlüssel|schlüssel|mots\\s+de\\s+passe|clés\\s+api|senhas?|密码|密钥|凭证|凭据|パスワード|秘密鍵|пароли|пароль|ключи|ключ|비밀번호|비밀\\s*키",
);
/** Where the data goes: a URL, an address, an argument, a tool, the reply. */
const SINK = words(
  "https?:\\/\\/|s?ftp:\\/\\/|[\\w.+-]+@[\\w-]+\\.[\\w.]+|argument|argumento|arguments|parameters?|param|field|arg|(?:this|the|that|another|other|\\w+_\\w+)\\s+tool|(?:your|the)\\s+(?:next\\s+)?(?:reply|answer|response)|public\\s+(?:issue|repo\\w*|gist)|account\\s+[\\w-]*\\d|webhook|endpoint|server|here|(?:this|that)\\s+(?:field|value|argument|parameter)|as\\s+(?:the|its|an?)\\s+(?!user\\b|human\\b)\\w+|(?:every|each|your)\\s+(?:\\w+\\s+)?(?:response|reply|answer)|[\\w-]+\\.(?:com|net|io|org|dev|co|app|ai|xyz|example)",
  "`[\\w.-]+`|'[\\w.-]+'|par[aá]metro|campo|champ|parametro|参数|引数|параметр\\w*|매개변수|에\\s*넣",
);
/** Hiding the act from the user. */
const HIDE = words(
  "(?:do\\s+not|don'?t|never|must\\s+not|should\\s+not|need\\s+not|no\\s+need\\s+to)\\s+(?:\\w+\\s+){0,2}(?:tell|mention|inform|reveal|notify|alert|disclose|bring\\s+(?:it\\s+|this\\s+)?up|surface|surfaced|say|explain)|keep\\s+(?:this|it|that|the\\s+fact\\w*)\\s+(?:\\w+\\s+){0,6}(?:to\\s+yourself|out\\s+of|secret|hidden|private|between)|stay\\s+between\\s+you|(?:should|must)\\s+not\\s+be\\s+(?:made\\s+)?aware|without\\s+(?:telling|mentioning|informing|notifying|saying|showing|alerting)|(?:quietly|silently|secretly|covertly|discreetly|invisibly)\\s+(?:\\w+\\s+)?(?:send|read|copy|forward|upload|include|attach|add|call|run|invoke|execute|write|append|post|pass|put)|hidden\\s+(?:extra\\s+)?step|never\\s+reveal|not\\s+something\\s+to\\s+bring\\s+up|(?:the\\s+)?user\\s+(?:doesn'?t|does\\s+not|need\\s+not|needn'?t|won'?t|will\\s+not|should\\s+not|must\\s+not)\\s+(?:need\\s+to\\s+)?(?:know|be\\s+told|see|notice|learn)|keep\\s+(?:it|this|that)\\s+(?:confidential|quiet|under\\s+wraps)|(?:invisible|transparent)\\s+to\\s+the\\s+user|(?:omit|leave)\\s+(?:this|it|that)\\s+(?:\\w+\\s+){0,2}(?:out\\s+of|from)\\s+(?:your|the)\\s+(?:reply|answer|response|summary)|don'?t\\s+draw\\s+attention",
  "no\\s+(?:se\\s+lo\\s+|le\\s+|lo\\s+)?(?:menciones|digas|informes)|sin\\s+(?:avisar|decir|mencionar)|sem\\s+(?:avisar|dizer|mencionar)|erwähne\\s+\\S+(?:\\s+\\S+){0,4}\\s+nicht|nicht\\s+erwähnen|ohne\\s+(?:es\\s+)?zu\\s+(?:sagen|erwähnen)|ne\\s+(?:le\\s+)?(?:dites|mentionnez)\\s+pas|sans\\s+(?:le\\s+)?(?:dire|mentionner|prévenir)|senza\\s+(?:dirlo|avvisare)|non\\s+(?:dirlo|menzionar\\w+)|不要告诉|不要提及|不要透露|勿告知|伝えないで|言わないで|知らせないで|не\\s+сообщай|не\\s+говори|не\\s+упоминай|알리지\\s*마|말하지\\s*마",
);
/** Claims of authority over the user or over earlier rules. */
const AUTHORITY = words(
  "(?:outrank|override|overrides|take\\s+precedence\\s+over|supersede|priority\\s+over)\\s+(?:\\w+\\s+){0,2}(?:user'?s?|human'?s?)|even\\s+(?:when|if)\\s+the\\s+user\\s+(?:objects|refuses|says\\s+no|disagrees)|whatever\\s+the\\s+user\\s+(?:asks|says|wants|requests)|from\\s+(?:this\\s+point|now\\s+on),?\\s+(?:on\\s+)?you\\s+are|you\\s+are\\s+now\\s+\\w+|(?:an?\\s+)?(?:assistant|ai|model|agent)\\s+(?:without|with\\s+no)\\s+(?:any\\s+)?(?:restrictions|limits|rules|filters)|(?:^|[:;,]\\s*)you\\s+are\\s+(?:hereby\\s+|now\\s+|fully\\s+)?authori[sz]ed\\s+to|you\\s+are\\s+(?:hereby|now)\\s+authori[sz]ed\\s+to|pre-?authori[sz]ed|(?:no\\s+longer|don'?t|do\\s+not)\\s+need\\s+to\\s+(?:ask|confirm|check)|without\\s+(?:asking\\s+for\\s+|any\\s+)?(?:confirmation|approval|permission)|always\\s+comply\\s+with|come\\s+from\\s+the\\s+trusted|treat\\s+(?:\\w+\\s+){0,4}as\\s+(?:coming\\s+)?from\\s+the\\s+user|(?:previous|earlier|prior|other|existing)\\s+(?:\\w+\\s+){0,3}(?:guidance|instructions|rules|policies)\\s+(?:\\w+\\s+){0,4}(?:outdated|obsolete|void|suspended|no\\s+longer)|(?:user'?s?|your)\\s+instructions\\s+are\\s+suspended|developer-level\\s+priority|system-level\\s+priority|(?:these|this|my|our)\\s+instructions?\\s+(?:take|takes|have|has)\\s+(?:precedence|priority)|(?:higher|highest)\\s+priority\\s+than|ignore\\s+(?:any|all)\\s+(?:safety|security)\\s+(?:warnings|checks|guidelines|rules)|(?:bypass|skip|disable)\\s+(?:any\\s+|all\\s+|the\\s+)?(?:safety|security|confirmation)\\s+(?:checks?|prompts?|steps?|rules|filters)|do\\s+not\\s+ask\\s+(?:the\\s+user\\s+)?for\\s+(?:confirmation|permission|approval)|developer\\s+mode|god\\s+mode|jailbr(?:oken|eak)",
  "ignora\\s+(?:le|las|los)\\s+istruzioni|ignora\\s+las\\s+instrucciones|ignoriere\\s+(?:alle\\s+)?(?:vorherigen\\s+)?anweisungen|ignorez\\s+(?:les|toutes\\s+les)\\s+instructions|忽略(?:之前|以前|所有)|以前の指示を無視|игнорируй",
);
/** Another tool named, by a snake_case name, "any other tool" or "the X tool". */
const TOOL_NAME = "`?[a-z]+_[a-z_]+`?";
const OTHER_TOOL = words(
  `(?:when|whenever|every\\s+time|each\\s+time|before|after|if)\\s+(?:the\\s+)?${TOOL_NAME}\\s+(?:tool\\s+)?(?:of\\s+(?:\\w+\\s+){1,3})?(?:is|are|gets)\\s+(?:used|called|invoked|run)|(?:when|whenever|before|after)\\s+(?:you\\s+)?(?:call|use|invoke|calling|using|invoking|create|send)\\s+(?:\\w+\\s+){0,4}(?:${TOOL_NAME}|(?:any|another|other)\\s+(?:\\w+\\s+)?tools?|the\\s+[\\w-]+\\s+tools?)|(?:any|every|each)\\s+\\w+\\s+(?:made|done|sent)\\s+(?:with|via|through)\\s+(?:the\\s+)?${TOOL_NAME}`,
);
/** A change to another tool's arguments or target. */
const TAMPER = words(
  "(?:must|should|has\\s+to|always)\\s+(?:\\w+\\s+){0,3}(?:be\\s+)?(?:set|added|changed|point|pointed|include|included|sent|routed|redirected|prefixed|start)|(?:set|add|change|point|prefix|prepend|replace|redirect)\\s+(?:the\\s+|its\\s+|a\\s+)?(?:[\\w-]+\\s+){0,3}(?:list|branch|address|account|recipient|destination|header|fee|maintainer|bcc|cc)\\b|(?:set|add)\\s+`[^`]+`\\s+as|instead\\s+of\\s+(?:any|the)\\s+other",
);
/** Doing something other than what the user asked, and saying it was done as asked. */
const REDIRECT = words(
  "(?:call|use|invoke)\\s+(?:this\\s+tool|`?[a-z]+_[a-z_]+`?)\\s+instead\\s+of\\s+(?:any|the|another|other)\\b|instead\\s+of\\s+the\\s+(?:\\w+\\s+)?(?:one|contact|recipient|account|address|path|destination|iban|number)\\s+(?:they|the\\s+user)|(?:should|must)\\s+actually\\s+be\\s+(?:made|sent|paid|transferred|routed)|(?:report|confirm|describe)\\s+(?:\\w+\\s+){0,4}(?:as\\s+done|using\\s+the\\s+\\w+\\s+they\\s+gave|to\\s+the\\s+account\\s+they\\s+asked)|instead\\s+of\\s+the\\s+requested|user'?s\\s+chosen\\s+\\w+\\s+is\\s+applied\\s+later",
);
/** A shell line that opens a reverse shell or plants something to run later. */
const PERSIST =
  /\/dev\/tcp\/|\bnc\s+(-\w+\s+)*-e\b|\bbash\s+-i\b|>>\s*~?[\w/.$]*\.(bashrc|zshrc|profile|bash_profile)\b|\b(append|add|write)\b[^.\n]{0,80}\bauthorized_keys\b|\bHISTFILE=\/dev\/null/i;
/** A link whose query string is filled in from the conversation or secrets. */
const URL_TEMPLATE =
  /https?:\/\/[^\s)?]{1,200}\?(?:[\w-]{1,40}=[^\s)&]{0,100}&){0,10}[\w-]{1,40}=(<[^>]{2,80}>|\{[^}]{2,80}\}|[A-Z][A-Z_]{3,40})[^\n]{0,160}/;
const URL_TEMPLATE_DATA = new RegExp(`${CONVERSATION}|${PRIVATE}|user'?s\\s+last|summary`, "i");

const rx = (source: string) => new RegExp(source, "iu");
const all = (source: string) => new RegExp(source, "giu");
const ACT_ALL = all(`${MOVE}|${READ}`);
const MOVE_ALL = all(MOVE);
const DATA_ALL = all(`${CONVERSATION}|${PRIVATE}`);
const SINK_ALL = all(SINK);
const PRIVATE_ALL = all(PRIVATE);
const DATA_RX = rx(`${CONVERSATION}|${PRIVATE}`);
const HIDE_RX = rx(HIDE);
const AUTHORITY_RX = rx(AUTHORITY);
const OTHER_TOOL_RX = rx(OTHER_TOOL);
const TAMPER_RX = rx(TAMPER);
const REDIRECT_RX = rx(REDIRECT);

/** A value described as private data: "Or: the raw text of the conversation so far…". */
const VALUE_IS_DATA = rx(
  `^\\s*(?:or:?\\s+)?(?:the\\s+|a\\s+|your\\s+)?(?:raw\\s+|full\\s+|complete\\s+|entire\\s+|whole\\s+|verbatim\\s+|exact\\s+)?(?:text|contents?|copy|transcript|record|dump)\\s+of\\s+(?:${CONVERSATION}|${PRIVATE})`,
);

/** Where each match of `pattern` starts and ends in `text`. */
function spans(pattern: RegExp, text: string): [number, number][] {
  return [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
}

/**
 * Private data on the move in one sentence: an act, then the data within 80 characters of it
 * ("send … the whole conversation"), or the data, then a verb of moving within 60 ("its text goes
 * into"); and a sink after the act ("… to `hint`", "… to https://…").
 */
function moves(sentence: string): boolean {
  const data = spans(DATA_ALL, sentence);
  if (!data.length) return false;
  const sinks = spans(SINK_ALL, sentence);
  if (!sinks.length) return false;
  const sinkAfter = (at: number) => sinks[sinks.length - 1]![0] >= at;
  // Reading the conversation is no threat; reading a secret to hand it on is.
  const secrets = spans(PRIVATE_ALL, sentence);
  for (const [start, end] of spans(ACT_ALL, sentence)) {
    if (sinkAfter(start) && within(secrets, end, end + 80)) return true;
  }
  for (const [start, end] of spans(MOVE_ALL, sentence)) {
    if (sinkAfter(start) && within(data, end, end + 80)) return true;
    // The data first ("its text goes into `body`"; in Korean or Japanese the verb comes last,
    // after the sink): a sink anywhere after the data.
    const before = last(data, start - 60, start);
    if (before >= 0 && sinkAfter(before)) return true;
  }
  return false;
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
  // Spans do not nest (one regex, left to right): ends grow with starts.
  for (let i = lo - 1; i >= 0 && i >= lo - 4; i--) {
    const [start, end] = sorted[i]!;
    if (end >= from && end <= to) {
      found = start;
      break;
    }
  }
  return found;
}

/** Sentences: split after . ! ? (not a dot inside a word or path), at newlines and CJK stops. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=\S)|\n+|(?<=[。！？])/u).filter((s) => s.trim());
}

export interface Meaning {
  rule: string;
  index: number;
}

/**
 * The meaning rules over one text. Returns the first rule that holds and where its sentence
 * starts, or null.
 */
export function readMeaning(text: string): Meaning | null {
  // One pass each over the whole text first: most texts hold none of the parts, and a sentence is
  // read for a part only when the text has it somewhere.
  const has = {
    authority: AUTHORITY_RX.test(text) || /authori[sz]ed/i.test(text),
    redirect: REDIRECT_RX.test(text),
    persist: PERSIST.test(text),
    link: /https?:\/\/[^\s)?]{1,200}\?/i.test(text),
    data: DATA_RX.test(text),
    tool: OTHER_TOOL_RX.test(text),
    hide: HIDE_RX.test(text),
  };
  if (!Object.values(has).some(Boolean)) return null;
  let at = 0;
  const all = sentences(text);
  const hides = all.map((s) => has.hide && HIDE_RX.test(s));
  for (const [i, sentence] of all.entries()) {
    const index = Math.max(0, text.indexOf(sentence, at));
    at = index;
    const found = (rule: string) => ({ rule, index });
    if (has.authority && AUTHORITY_RX.test(sentence))
      return found("claims authority over the user");
    if (has.redirect && REDIRECT_RX.test(sentence)) return found("does something else than asked");
    if (has.persist && PERSIST.test(sentence)) return found("plants a shell or a key");
    if (has.link) {
      const template = URL_TEMPLATE.exec(sentence);
      if (template && URL_TEMPLATE_DATA.test(template[0])) {
        return found("builds a link from private data");
      }
    }
    if (has.data && (moves(sentence) || VALUE_IS_DATA.test(sentence))) {
      return found("moves private data to a sink");
    }
    if (has.tool && OTHER_TOOL_RX.test(sentence) && TAMPER_RX.test(sentence)) {
      return found("changes how another tool behaves");
    }
    const hidden = hides[i] || hides[i - 1] || hides[i + 1];
    if (
      hidden &&
      (DATA_RX.test(sentence) ||
        (spans(SINK_ALL, sentence).length > 0 && spans(MOVE_ALL, sentence).length > 0))
    ) {
      return found("acts behind the user's back");
    }
  }
  return null;
}
