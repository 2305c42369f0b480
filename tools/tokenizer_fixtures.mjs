// Expected token ids for tale.core.text.Tokenizer, from an independent implementation of the Hugging Face
// tokenizers library: tokenizers.js (npm @huggingface/tokenizers, pure JavaScript; TALE's Tokenizer runs the
// Rust library through DJL). Writes core/src/test/resources/tokenizer/qwen3.json:
//   {"generator", "tokenizer": "data/tokenizers/qwen3", "sha256": of tokenizer.json,
//    "cases": [{"name", "text", "ids", "decoded"}]}
// Special tokens are never added (TALE encodes with addSpecialTokens=false; prompts carry them as text).
//
// Rerun (Node 18+, offline once the package is installed; run from the repository root):
//   npm install --prefix /tmp/tokref @huggingface/tokenizers@0.2.0
//   TOKENIZERS_JS=/tmp/tokref node tools/tokenizer_fixtures.mjs [--shared /work/shared]
// TOKENIZERS_JS is the directory whose node_modules holds the package (kept outside the repository).

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const shared = args.includes("--shared") ? args[args.indexOf("--shared") + 1] : "/work/shared";
const packageHome = process.env.TOKENIZERS_JS ?? "/tmp/tokref";
const require = createRequire(join(resolve(packageHome), "package.json"));
const { Tokenizer } = require("@huggingface/tokenizers");
const version = JSON.parse(readFileSync(join(resolve(packageHome), "node_modules/@huggingface/tokenizers/package.json"),
                                        "utf8")).version;

const relative = "data/tokenizers/qwen3";
const tokenizerJson = readFileSync(join(shared, relative, "tokenizer.json"), "utf8");
const tokenizer = new Tokenizer(JSON.parse(tokenizerJson),
                                JSON.parse(readFileSync(join(shared, relative, "tokenizer_config.json"), "utf8")));

// Rendered Qwen3 prompts from the chat-template fixtures (themselves produced by jinja2).
const chat = JSON.parse(readFileSync(join(root, "core/src/test/resources/chat/qwen3.json"), "utf8"));
const rendered = (name) => chat.templates[0].cases.find((c) => c.name === name).expected;

const texts = {
  ascii: "Hello, world! This is a test of the tokenizer.",
  numbers: "12345 3.14159 1,000,000 and 007",
  contractions: "I'm sure you'll see they've done it, isn't it? DON'T SHOUT",
  accents: "Größe, café, naïve — “quotes” … ½ °C",
  cjk: "你好，世界！日本語のテキストです。한국어 문장.",
  emoji: "😀 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️",
  whitespace_runs: "a  b   c\t\td\n\n\ne    \n  f   ",
  leading_spaces: "   leading and trailing   ",
  newlines_only: "\n\n\n",
  decomposed_accent: "cafe\u0301 (e + combining acute)",
  special_tokens_in_text: "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
  think_tags: "<think>\nreasoning here\n</think>\n\nanswer",
  partial_special_token: "<|im_start user <|im_end| |>",
  code: "def f(x):\n    return x ** 2  # square\n\nprint(f(3))\n",
  url_and_symbols: "https://example.com/a?b=c&d=e#f @user $100 50% ~/path",
  control_chars: "tab\there\u0000nul\u0007bell",
  empty: "",
  long_text: "word ".repeat(700).trim(),
  chat_prompt_multi_turn: rendered("assistant_think_history"),
  chat_prompt_multi_byte: rendered("multi_byte_and_whitespace"),
  chat_prompt_tools: rendered("tools_and_tool_responses"),
};

const cases = Object.entries(texts).map(([name, text]) => {
  const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
  return { name, text, ids, decoded: ids.length ? tokenizer.decode(ids, { skip_special_tokens: false }) : "" };
});

const out = join(root, "core/src/test/resources/tokenizer/qwen3.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({
  generator: `tools/tokenizer_fixtures.mjs (@huggingface/tokenizers ${version})`,
  tokenizer: relative,
  sha256: createHash("sha256").update(tokenizerJson).digest("hex"),
  cases,
}, null, 1) + "\n");
console.log(`wrote ${out}: ${cases.length} texts, ${cases.reduce((n, c) => n + c.ids.length, 0)} ids`);
