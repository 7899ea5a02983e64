/**
 * @module bench/corpus/text
 * Generated text of the kinds an AI gateway sees — English prose, source code, JSON, CJK and
 * emoji-laden chat — built from small in-repo word lists with a seeded PRNG (no downloads).
 * Used for body benchmarks and to calibrate and score the token estimator.
 */
import { Rng } from "./random.ts";

export type TextKind = "english" | "code" | "json" | "cjk" | "emoji";
export const TEXT_KINDS: readonly TextKind[] = ["english", "code", "json", "cjk", "emoji"];

const WORDS = (
  "the of and to in is you that it he was for on are as with his they at be this have from or one had by word but " +
  "not what all were we when your can said there use an each which she do how their if will up other about out many " +
  "then them these so some her would make like him into time has look two more write go see number no way could people " +
  "my than first water been call who oil its now find long down day did get come made may part over new sound take only " +
  "little work know place year live me back give most very after thing our just name good sentence man think say great " +
  "where help through much before line right too mean old any same tell boy follow came want show also around form three " +
  "small set put end does another well large must big even such because turn here why ask went men read need land " +
  "different home us move try kind hand picture again change off play spell air away animal house point page letter " +
  "mother answer found study still learn should America world gateway request response latency throughput configuration " +
  "deployment cluster network policy token model streaming inference provider budget limit quota customer account " +
  "important understand everything something yesterday tomorrow government development international environment " +
  "information experience particularly significantly unfortunately responsibility infrastructure authentication " +
  "Kubernetes Envoy Istio OpenAI Anthropic Gemini reasonable question problem example together between children"
).split(" ");

const IDENTS = ["user", "request", "tokens", "limit", "config", "body", "headers", "value", "index", "result", "count",
  "buffer", "stream", "model", "messages", "handler", "context", "options", "response", "payload", "error", "items"];
const TYPES = ["string", "number", "boolean", "Uint8Array", "Map<string, number>", "Promise<void>", "i32", "u64"];

/** About 900 frequent Chinese characters, with Japanese kana and CJK punctuation mixed in. */
const HANZI = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域族尔";
const KANA = "のはをにがでとしたてるいうかなれすまもあこくよりさけらおめ";
const CJK_PUNCT = ["，", "。", "、", "？", "！", "「", "」"];
const EMOJI = ["😀", "😂", "🥲", "😍", "🤔", "👍", "👍🏽", "🙏", "🎉", "🔥", "✨", "❤️", "🚀", "✅", "❌", "⚠️", "👀", "💡",
  "📈", "🤖", "🧠", "🌍", "🍕", "☕", "🐱", "🐶", "👨‍💻", "👩‍🔬", "🏳️‍🌈", "🇫🇷", "🇯🇵", "⭐", "💬", "📎", "🗓️", "🧪"];

function sentence(rng: Rng, minWords = 5, maxWords = 18): string {
  const n = minWords + rng.int(maxWords - minWords + 1);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = rng.pick(WORDS);
    if (rng.chance(0.03)) w = String(rng.int(rng.chance(0.5) ? 100 : 100000));
    if (i > 2 && i < n - 1 && rng.chance(0.08)) w += ",";
    words.push(w);
  }
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return words.join(" ") + rng.pick([".", ".", ".", "?", "!"]);
}

export function english(rng: Rng, approxChars: number): string {
  let out = "";
  while (out.length < approxChars) {
    out += sentence(rng);
    out += rng.chance(0.15) ? "\n\n" : " ";
  }
  return out.trimEnd();
}

export function code(rng: Rng, approxChars: number): string {
  const lines: string[] = [];
  let size = 0;
  let indent = 0;
  while (size < approxChars) {
    const a = rng.pick(IDENTS), b = rng.pick(IDENTS), t = rng.pick(TYPES);
    const pad = "  ".repeat(indent);
    let line: string;
    switch (rng.int(9)) {
      case 0: line = `${pad}function ${a}${b[0].toUpperCase()}${b.slice(1)}(${a}: ${t}, ${b}: ${rng.pick(TYPES)}): ${t} {`; indent++; break;
      case 1: line = `${pad}const ${a} = ${b}.${rng.pick(IDENTS)}(${rng.int(1000)}, "${rng.pick(WORDS)}");`; break;
      case 2: line = `${pad}if (${a}.length > ${rng.int(64)} && ${b} !== null) {`; indent++; break;
      case 3: line = `${pad}for (let i = 0; i < ${a}.length; i++) ${b}[i] += ${a}[i] * ${rng.int(10)};`; break;
      case 4: line = `${pad}return { ${a}, ${b}: ${b} ?? ${rng.int(100)} };`; break;
      case 5: line = `${pad}// ${sentence(rng, 4, 10)}`; break;
      case 6: line = `${pad}${a}.${b} = await fetch(\`/v1/${a}/\${${b}}\`, { method: "POST" });`; break;
      case 7: line = `${pad}def ${a}_${b}(self, ${a}, ${b}=None):`; break;
      default: line = indent > 0 ? "  ".repeat(--indent) + "}" : `${pad}export default ${a};`;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
}

function jsonValue(rng: Rng, depth: number): unknown {
  const r = rng.int(depth > 2 ? 4 : 7);
  if (r === 0) return rng.pick(WORDS) + (rng.chance(0.5) ? " " + rng.pick(WORDS) : "");
  if (r === 1) return rng.chance(0.5) ? rng.int(100000) : Math.round(rng.next() * 1e4) / 100;
  if (r === 2) return rng.chance(0.5);
  if (r === 3) return rng.chance(0.2) ? null : `${rng.pick(IDENTS)}-${rng.int(1000)}`;
  if (r === 4) return Array.from({ length: 1 + rng.int(4) }, () => jsonValue(rng, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = 0, n = 1 + rng.int(5); i < n; i++) obj[rng.pick(IDENTS) + (rng.chance(0.3) ? "_" + rng.pick(IDENTS) : "")] = jsonValue(rng, depth + 1);
  return obj;
}

export function json(rng: Rng, approxChars: number): string {
  const items: unknown[] = [];
  let s = "";
  while (s.length < approxChars) {
    items.push(jsonValue(rng, 0));
    s = JSON.stringify(items, null, rng.chance(0.5) ? 2 : 0);
  }
  return s;
}

export function cjk(rng: Rng, approxChars: number): string {
  let out = "";
  while (out.length < approxChars) {
    const n = 6 + rng.int(20);
    for (let i = 0; i < n; i++) out += rng.chance(0.15) ? KANA[rng.int(KANA.length)] : HANZI[rng.int(HANZI.length)];
    out += rng.chance(0.1) ? String(rng.int(2030)) : "";
    out += rng.pick(CJK_PUNCT);
  }
  return out;
}

export function emoji(rng: Rng, approxChars: number): string {
  let out = "";
  while (out.length < approxChars) {
    out += rng.chance(0.5) ? rng.pick(WORDS) + " " : "";
    out += rng.pick(EMOJI);
    if (rng.chance(0.3)) out += rng.pick(EMOJI);
    out += rng.chance(0.6) ? " " : "";
  }
  return out;
}

export function textOfKind(kind: TextKind, rng: Rng, approxChars: number): string {
  switch (kind) {
    case "english": return english(rng, approxChars);
    case "code": return code(rng, approxChars);
    case "json": return json(rng, approxChars);
    case "cjk": return cjk(rng, approxChars);
    case "emoji": return emoji(rng, approxChars);
  }
}
