#!/usr/bin/env python3
"""Expected chat-template renderings for tale.core.text.ChatTemplate, produced by Python's jinja2.

The environment mirrors the one Hugging Face transformers renders chat templates with
(`_compile_jinja_template` in transformers/utils/chat_template_utils.py):
  ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                extensions=[AssistantTracker, jinja2.ext.loopcontrols])
  filters["tojson"]  = json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)
  globals["raise_exception"], globals["strftime_now"]
and `apply_chat_template` renders with
  render(messages=..., tools=None, documents=None, add_generation_prompt=..., **special_tokens_map, **kwargs)
where special_tokens_map holds the tokenizer's bos/eos/unk/sep/pad/cls/mask tokens that are set, plus
additional_special_tokens (tokenization_utils_base.py: `template_kwargs = {**self.special_tokens_map, **kwargs}`).

Writes one JSON file per template family into core/src/test/resources/chat/:
  {"templates": [{"name", "source": {...}, "special_tokens": {...},
                  "cases": [{"name", "messages", "add_generation_prompt", "variables", "expected" | "error"}]}]}
"source" is one of
  {"text": "..."}                                    a template authored here (committed): Llama 3.1-style,
                                                     ChatML, Zephyr-style, Gemma/Mistral/DeepSeek-style, features
  {"tokenizer_config": "data/tokenizers/qwen3", "sha256": "..."}  the real file under the shared data dir
                                                     (never copied into the repository; the test reads it)
  {"tiny_checkpoint": "llama", "text": "..."}        the template TinyCheckpoint writes, read from its source

Rerun (from the repository root; needs Python 3 with jinja2 >= 3.1, no transformers):
  python3 tools/chat_fixtures.py [--shared /work/shared]

Known differences of the Java renderer, kept out of these fixtures (none of the real templates checked
with it depends on them): None and undefined are the same (`{{ none }}` prints nothing, `none | default(x)`
gives x); `a and b` gives a boolean, not b; `'a' ~ true` gives "atrue"; `-3 | abs` gives -3. Unknown filters
and tests (`max`, `min`) are rejected when the template is loaded, as Jinja2 rejects them when compiling.
"""

import argparse
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "core/src/test/resources/chat"
TINY_SOURCE = ROOT / "core/src/main/java/tale/core/model/TinyCheckpoint.java"


# ---------------------------------------------------------------- the transformers environment


class GenerationTag(jinja2.ext.Extension):
    """transformers' AssistantTracker: `{% generation %}...{% endgeneration %}` renders its body unchanged
    (it only records where the assistant's text lies, which does not change the rendered string)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                       extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(source, special_tokens, messages, add_generation_prompt, variables):
    template = environment().from_string(source)
    kwargs = {**special_tokens, **variables}
    return template.render(messages=messages, tools=kwargs.pop("tools", None), documents=kwargs.pop("documents", None),
                           add_generation_prompt=add_generation_prompt, **kwargs)


def special_tokens_map(tokenizer_config):
    """transformers' special_tokens_map: the named special tokens that are set, as strings."""
    tokens = {}
    for key in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]:
        value = tokenizer_config.get(key)
        if isinstance(value, dict):
            value = value.get("content")
        if value is not None:
            tokens[key] = value
    extra = [t["content"] if isinstance(t, dict) else t for t in tokenizer_config.get("additional_special_tokens") or []]
    if extra:
        tokens["additional_special_tokens"] = extra
    return tokens


def case(name, messages, add_generation_prompt=True, **variables):
    return {"name": name, "messages": messages, "add_generation_prompt": add_generation_prompt, "variables": variables}


def sys(text):
    return {"role": "system", "content": text}


def user(text):
    return {"role": "user", "content": text}


def assistant(text):
    return {"role": "assistant", "content": text}


def tool(text):
    return {"role": "tool", "content": text}


def run_cases(source, special_tokens, cases):
    out = []
    for c in cases:
        c = dict(c)
        try:
            c["expected"] = render(source, special_tokens, c["messages"], c["add_generation_prompt"], c["variables"])
        except jinja2.exceptions.TemplateError as e:
            c["error"] = str(e)
        out.append(c)
    return out


# ---------------------------------------------------------------- conversations

TEMPLATE_SYNTAX = "Print {{ 7*7 }} and {% if true %}yes{% endif %} {# note #} {{- raw -}} literally."
MULTI_BYTE = "Größe? 你好，世界 🙂👍🏽 — ok"

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Météo: current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                       "required": ["city"]},
    },
}

COMMON_CASES = [
    case("system_user_generation_prompt", [sys("You are concise."), user("What is 2+2?")], True),
    case("system_user_no_generation_prompt", [sys("You are concise."), user("What is 2+2?")], False),
    case("user_only", [user("Hello!")], True),
    case("multi_turn", [sys("Be brief."), user("Hi"), assistant("Hello! How can I help?"), user("Tell me a joke.")], True),
    case("template_syntax_in_content", [user(TEMPLATE_SYNTAX)], True),
    case("multi_byte_and_whitespace", [user("  " + MULTI_BYTE + "\n\n\t end  ")], True),
]

QWEN3_CASES = COMMON_CASES + [
    case("assistant_think_history",
         [sys("Be brief."), user("Hi"), assistant("<think>\nThe user greets me.\n</think>\n\nHello!"), user("Who are you?")],
         True),
    case("assistant_think_last", [user("Hi"), assistant("<think>\nGreeting.\n</think>\n\nHello!")], False),
    case("assistant_after_last_query_without_think", [user("Hi"), assistant("Hello!")], False),
    case("enable_thinking_false", [user("Hi")], True, enable_thinking=False),
    case("enable_thinking_true", [user("Hi")], True, enable_thinking=True),
    case("tools_and_tool_responses",
         [sys("You help with weather."), user("Weather in Paris?"), assistant("Let me check."),
          tool('{"temp": 21}'), tool('{"temp": 19}'), ],
         True, tools=[WEATHER_TOOL]),
    case("tools_without_system", [user("Weather in Oslo?")], True, tools=[WEATHER_TOOL]),
]

LLAMA3_CASES = COMMON_CASES + [
    case("date_string", [user("What day is it?")], True, date_string="01 Jan 2026"),
    case("tools", [sys("  Use tools.  "), user("Weather in Rome?")], True, tools=[WEATHER_TOOL]),
    case("tool_result", [user("Weather?"), assistant('{"name": "get_weather", "parameters": {"city": "Rome"}}'),
                         tool('{"temp": 30}')], True),
    case("bad_role", [{"role": "narrator", "content": "Once upon a time"}], True),
]

# ---------------------------------------------------------------- templates authored here

# A Llama 3.1-style template (system block with dates, optional tools as indented JSON, ipython turns).
LLAMA3 = """{{- bos_token }}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}

{#- The system message goes into the header block. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] | trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\\n" }}
{{- "Today Date: " + date_string + "\\n\\n" }}
{%- if tools is not none %}
    {{- "Answer a function call as JSON {\\"name\\": function name, \\"parameters\\": arguments}.\\n\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{%- for message in messages %}
    {%- if message.role not in ['user', 'assistant', 'ipython', 'tool'] %}
        {{- raise_exception("Unsupported role '" ~ message.role ~ "' in message " ~ loop.index) }}
    {%- endif %}
    {%- if message.role == 'ipython' or message.role == 'tool' %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" + message.content + "<|eot_id|>" }}
    {%- else %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""

# ChatML with a default system prompt, written with explicit whitespace control.
CHATML = """{%- for message in messages %}
    {%- if loop.first and message.role != 'system' %}
        {{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}
    {%- endif %}
    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
"""

# Zephyr-style: relies on trim_blocks/lstrip_blocks (no '-' markers); the newline after each `}}` stays.
ZEPHYR = """{% for message in messages %}
{% if message['role'] == 'user' %}
{{ '<|user|>\\n' + message['content'] + eos_token }}
{% elif message['role'] == 'system' %}
{{ '<|system|>\\n' + message['content'] + eos_token }}
{% elif message['role'] == 'assistant' %}
{{ '<|assistant|>\\n'  + message['content'] + eos_token }}
{% endif %}
{% if loop.last and add_generation_prompt %}
{{ '<|assistant|>' }}
{% endif %}
{% endfor %}"""

# Templates written here in the manner of other families, for the constructs they rely on.
# Gemma-like: boolean comparison for alternation, raise_exception, a role renamed.
ALTERNATING = """{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('No system turns here') }}{% endif %}
{%- for message in messages %}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Turns must alternate user/assistant') }}{% endif %}
{%- set role = 'model' if message['role'] == 'assistant' else message['role'] %}
{{- '<turn>' + role + '\n' + message['content'] | trim + '</turn>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}{{ '<turn>model\n' }}{% endif %}"""

# Mistral-like: empty namespace filled later, selectattr, dict equality, a filtered for loop over items().
INSTRUCT = """{%- if messages[0]["role"] == "system" %}
    {%- set system_message = messages[0]["content"] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- set user_messages = loop_messages | selectattr("role", "equalto", "user") | list %}
{%- set ns = namespace() %}
{%- set ns.turn = 0 %}
{%- for message in loop_messages %}
    {%- if message.role != "tool" %}
        {%- if (message["role"] == "user") != (ns.turn % 2 == 0) %}
            {{- raise_exception("user and assistant turns must alternate") }}
        {%- endif %}
        {%- set ns.turn = ns.turn + 1 %}
    {%- endif %}
{%- endfor %}
{{- bos_token }}
{%- for message in loop_messages %}
    {%- if message["role"] == "user" %}
        {%- if tools is not none and (message == user_messages[-1]) %}
            {{- "[TOOLS] [" }}
            {%- for tool in tools %}
                {%- for key, val in tool.function.items() if key != "parameters" %}
                    {{- '"' + key + '": ' + val|tojson }}
                    {%- if not loop.last %}{{ ", " }}{% endif %}
                {%- endfor %}
            {%- endfor %}
            {{- "][/TOOLS]" }}
        {%- endif %}
        {%- if loop.last and system_message is defined %}
            {{- "[INST] " + system_message + "\n\n" + message["content"] + "[/INST]" }}
        {%- else %}
            {{- "[INST] " + message["content"] + "[/INST]" }}
        {%- endif %}
    {%- elif message["role"] == "assistant" %}
        {{- " " + message["content"]|trim + eos_token }}
    {%- elif message["role"] == "tool" %}
        {{- '[RESULTS] {"content": ' + message.content|string + "}[/RESULTS]" }}
    {%- endif %}
{%- endfor %}"""

# DeepSeek-R1-like: namespace flags, reasoning dropped from history with split('</think>')[-1].
REASONER = """{% set ns = namespace(system_prompt='', in_tool=false, first_output=true) %}
{%- for message in messages %}{% if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{% endif %}{% endfor %}
{{- bos_token }}{{ ns.system_prompt }}
{%- for message in messages %}
{%- if message['role'] == 'user' %}{% set ns.in_tool = false %}{{ '<|U|>' + message['content'] }}
{%- elif message['role'] == 'assistant' %}
{%- set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}
{%- if ns.in_tool %}{{ '<|outputs_end|>' }}{% set ns.in_tool = false %}{% endif %}{{ '<|A|>' + content + eos_token }}
{%- elif message['role'] == 'tool' %}{% set ns.in_tool = true %}
{%- if ns.first_output %}{{ '<|outputs|><|output|>' + message['content'] + '<|/output|>' }}{% set ns.first_output = false %}
{%- else %}{{ '\n<|output|>' + message['content'] + '<|/output|>' }}{% endif %}
{%- endif %}
{%- endfor -%}
{% if ns.in_tool %}{{ '<|outputs_end|>' }}{% endif %}{% if add_generation_prompt and not ns.in_tool %}{{ '<|A|><think>\n' }}{% endif %}"""

FAMILY_CASES = COMMON_CASES + [
    case("assistant_with_reasoning", [user("Hi"), assistant("<think>\nx\n</think>\n\nHello  "), user("Bye")], True),
    case("tools", [sys("S"), user("Weather?")], True, tools=[WEATHER_TOOL]),
    case("tool_turns", [user("Weather?"), assistant("Checking."), tool('{"t": 1}'), tool('{"t": 2}')], True),
]

# One small template per Python/Jinja2 behaviour real chat templates rely on.
FEATURES = {
    "str_strip": "[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ 'xxhixx'.strip('x') }}]"
                 "[{{ '\\n\\nab\\n'.lstrip('\\n') }}][{{ 'ab\\n\\n'.rstrip('\\n') }}][{{ 'abcba'.strip('ab') }}]",
    "str_split": "{{ 'a,b,,c'.split(',') | join('|') }};{{ '  a  b\\tc\\n'.split() | join('|') }};"
                 "{{ 'a,b,c'.split(',', 1) | join('|') }};{{ 'a.b.c'.split('.')[-1] }};{{ 'x|y'.split('|')[0] }};"
                 "{{ 'a b c'.split(none, 1) | join('|') }};{{ 'abc'.split('b') | length }}",
    "str_rsplit": "{{ 'a.b.c'.rsplit('.', 1) | join('|') }};{{ 'a b  c'.rsplit() | join('|') }}",
    "str_case": "{{ 'hello World'.upper() }} {{ 'Hello WORLD'.lower() }} {{ 'hello world'.title() }} "
                "{{ 'hELLO'.capitalize() }} {{ 'Hello'.swapcase() }}",
    "str_replace": "{{ 'aaa'.replace('a', 'b') }} {{ 'aaa'.replace('a', 'b', 2) }} {{ 'a.b'.replace('.', '-') }} "
                   "{{ 'x$1y'.replace('$1', '\\\\') }}",
    "str_starts_ends": "{{ s.startswith('<tool') }} {{ s.endswith('>') }} {{ 'abc'.startswith(('x', 'a')) }} "
                       "{{ 'abc'.endswith(('x', 'y')) }} {{ 'abc'.startswith('b', 1) }}",
    "str_find_count": "{{ 'hello'.find('l') }} {{ 'hello'.find('z') }} {{ 'hello'.rfind('l') }} {{ 'hello'.count('l') }} "
                      "{{ 'hello'.index('e') }}",
    "str_predicates": "{{ '123'.isdigit() }} {{ 'a1'.isdigit() }} {{ 'abc'.isalpha() }} {{ '  '.isspace() }} "
                      "{{ 'abc'.islower() }} {{ 'ABC'.isupper() }} {{ 'a1'.isalnum() }}",
    "str_join_format": "{{ ', '.join(['a', 'b', 'c']) }} {{ '-'.join(messages | map(attribute='role')) }}",
    "str_partition": "{{ 'k=v=w'.partition('=') | join('|') }} {{ 'k=v=w'.rpartition('=') | join('|') }}",
    "str_slices": "{{ 'hello'[1:] }} {{ 'hello'[:-1] }} {{ 'hello'[::-1] }} {{ 'hello'[::2] }} {{ 'hello'[1:4] }} "
                  "{{ 'hello'[-3:] }} {{ 'hello'[-1] }} {{ 'héllo🙂'[::-1] }}",
    "list_slices": "{% set l = [1, 2, 3, 4, 5] %}{{ l[1:] }} {{ l[:-1] }} {{ l[::-1] }} {{ l[::2] }} {{ l[1::2] }} "
                   "{{ l[-2:] }} {{ l[4:1:-1] }} {{ l[10:] }} {{ l[-1] }} {{ l[0] }}",
    "messages_reversed": "{% for m in messages[::-1] %}{{ loop.index0 }}:{{ m.role }} {% endfor %}"
                         "{% for m in messages[1:] %}{{ m.content }};{% endfor %}",
    "namespace_kwargs": "{% set ns = namespace(found=false, last=messages|length - 1, name='x') %}"
                        "{% for m in messages %}{% if m.role == 'user' %}{% set ns.found = true %}"
                        "{% set ns.last = loop.index0 %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.last }} {{ ns.name }}",
    "loop_controls": "{% for m in messages %}{% if loop.index0 == 1 %}{% continue %}{% endif %}"
                     "{% if loop.index0 == 3 %}{% break %}{% endif %}{{ m.role }},{% endfor %}",
    "loop_filter": "{% for m in messages if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}:{{ m.role }}"
                   "{% if loop.last %}.{% endif %} {% endfor %}"
                   "{% for k, v in {'a': 1, 'b': 2, 'c': 3}.items() if v > 1 and k != 'c' %}{{ k }}={{ v }}{% endfor %}"
                   "{% for x in [0, ''] if x %}x{% else %} none kept{% endfor %}",
    "loop_else": "{% for m in messages %}{{ m.role }} {% else %}no messages{% endfor %}|"
                 "{% for x in [] %}{{ x }}{% else %}{% for y in [1, 2] %}{{ y }}{% else %}never{% endfor %}{% endfor %}|"
                 "{% for x in [1] %}{% if x %}a{% else %}b{% endif %}{% else %}c{% endfor %}",
    "loop_vars": "{% for m in messages %}{{ loop.index }}/{{ loop.length }}{% if loop.first %}F{% endif %}"
                 "{% if loop.last %}L{% endif %}{{ loop.revindex0 }} {% endfor %}",
    "loop_previtem": "{% for m in messages %}{% if not loop.first %}{{ loop.previtem.role }}>{% endif %}"
                     "{{ m.role }}{% if not loop.last %}<{{ loop.nextitem['role'] }}{% endif %}"
                     "{% for x in [1, 2] %}({{ loop.previtem }}){% endfor %} {% endfor %}",
    "tests": "{{ s is string }} {{ messages is string }} {{ messages[0] is mapping }} {{ none is none }} "
             "{{ undefined_var is defined }} {{ messages is defined }} {{ 3 is number }} {{ messages is iterable }} "
             "{{ messages is sequence }} {{ 4 is even }} {{ 3 is odd }} {{ s is not none }} {{ 2 is divisibleby 2 }} "
             "{{ s is iterable }} {{ s is sequence }} {{ s is mapping }} {{ messages[0] is iterable }} {{ 1 is iterable }} "
             "{{ none is iterable }} {{ true is boolean }} {{ 1 is integer }} {{ 1.5 is float }} {{ 'a' is lower }} "
             "{{ false is false }} {{ 0 is false }} {{ true is true }} {{ s is sameas s }} {{ 1 is eq 1 }}",
    "membership": "{{ 'a' in 'cat' }} {{ 'z' not in 'cat' }} {{ 2 in [1, 2] }} {{ 'role' in messages[0] }} "
                  "{{ 'nope' in messages[0] }} {{ '</think>' in s }}",
    "dicts": "{% set d = {'b': 1, 'a': [1, 2], 'c': {'x': none}} %}{% for k, v in d.items() %}{{ k }}={{ v | tojson }};"
             "{% endfor %} {{ d.keys() | list | join(',') }} {{ d.get('a') }} {{ d.get('zz', 'dflt') }} "
             "{{ d['b'] }} {{ d.b }} {{ d | length }}",
    "dict_iteration": "{% set d = {'b': 1, 'a': 2} %}{% for k in d %}{{ k }}{% endfor %} {{ d | list | join('') }}",
    "tojson": "{{ v | tojson }}|{{ v | tojson(indent=2) }}|{{ v | tojson(separators=(',', ':')) }}|"
              "{{ v | tojson(sort_keys=true) }}|{{ 'a\"b</x>' | tojson }}|{{ 'é' | tojson(ensure_ascii=true) }}|"
              "{{ [] | tojson(indent=2) }}|{{ {} | tojson }}",
    "filters": "{{ messages | length }} {{ s | trim }} {{ undefined_var | default('u') }} {{ undefined_var | d('v') }} "
               "{{ (messages | first).role }} {{ (messages | last).role }} {{ [3, 1, 2] | sort | join }} "
               "{{ 'abc' | upper }} {{ 'ABC' | lower }} {{ 'ab cd' | capitalize }} {{ 'ab' | replace('a', 'x') }} "
               "{{ messages | selectattr('role', 'equalto', 'user') | list | length }} "
               "{{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | join(',') }} "
               "{{ [1, 2] | reverse | list | join }} {{ '42' | int + 1 }} {{ 42 | string + '!' }} {{ 'a\\nb' | indent(2) }} "
               "{{ ['x', 'y'] | join(', ') }} {{ messages | map(attribute='content') | select | list | length }}",
    "printing": "{{ true }} {{ false }} {{ 1 }} {{ 1.5 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 3 }} {{ 7 / 2 }} {{ 1e20 }} "
                "{{ [1, 'a', true, none, \"it's\"] }} {{ {'k': 'v'} }} {{ 'a' ~ 1 ~ 'b' }} {{ -1 }} {{ 10 - 3 * 2 }} "
                "{{ [1, 2] | sum }} {{ [0.5, 1] | sum }}",
    "conditional_expressions": "{{ 'yes' if messages else 'no' }} {{ 'a' if false }}|{{ s if s else 'empty' }} "
                               "{{ (1 if true else 2) + 1 }} {{ not messages }} {{ not undefined_var }} "
                               "{{ undefined_var or 'fallback' }} {{ s or 'fallback' }}|{{ '' or 'empty' }}",
    "whitespace_control": "a  {{- ' b ' -}}  c\n  {%- if true -%}  d  {%- endif -%}  \n e {#- note -#}  f\n"
                          "  {% if true %}\n    g\n  {% endif %}\n  {{ 'h' }}\n",
    "trailing_newline": "{{ messages[0].content }}\n",
    "trailing_newlines_two": "x\n\n",
    "crlf_source": "{% for m in messages %}\r\n{{ m.role }}\r\n{% endfor %}\r\nend\r\n",
    "macro": "{% macro render(m, prefix='>') %}{{ prefix }}{{ m.role }}:{{ m.content }}{% endmacro %}"
             "{% for m in messages %}{{ render(m) }}{{ render(m, prefix='#') }}{% endfor %}",
    "set_block": "{% set x %}inner {{ messages | length }}{% endset %}[{{ x }}]",
    "generation_tag": "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}"
                      "{% endgeneration %}{% else %}{{ m.content }}{% endif %}|{% endfor %}",
    "special_tokens": "{{ bos_token }}|{{ eos_token }}|{{ additional_special_tokens | join(',') }}|"
                      "{{ unk_token is defined }}",
    "globals_are_defined": "{% if strftime_now is defined %}{{ strftime_now('%%') }}|{{ strftime_now('') }}{% endif %}"
                           "{% if raise_exception is defined %}|raise_exception{% endif %}",
    "raise_exception": "{% if messages[0].role != 'system' %}{{ raise_exception('Conversation roles must alternate "
                       "user/assistant/user/assistant/...') }}{% endif %}ok",
    "content_is_data": "{{ messages[0].content }}|{{ messages[0].content | trim }}|{{ messages[0]['content'] ~ '' }}",
    "string_escapes": "{{ 'tab\\there' }}|{{ \"quote\\\"s\" }}|{{ 'back\\\\slash' }}|{{ 'uni\\u00e9' }}|{{ 'nl\\\\n' }}",
    "range_and_math": "{% for i in range(3) %}{{ i }}{% endfor %} {{ range(1, 7, 2) | list | join(',') }} "
                      "{{ (-3) | abs }} {{ 2.567 | round(1) }}",
}

FEATURE_MESSAGES = [sys("  Be brief.\n"), user("<tool_response>\nok\n</tool_response>"),
                    assistant("<think>\nhm\n</think>\n\nHello"), user("Bye {{ 7*7 }}")]


def feature_cases(name, source):
    variables = {"s": "  <tool_response>x</tool_response>\n"}
    if name == "tojson":
        variables = {"v": {"name": "f", "args": {"city": "Zürich", "n": 3, "x": 1.5, "ok": True, "none": None},
                           "list": [1, "二", False], "z": {}}}
    if name == "content_is_data":
        return [case("template_code_in_content", [user("{{ 7*7 }} {% raw %}")], False)]
    if name == "raise_exception":
        return [case("raises", [user("Hi")], False), case("passes", [sys("S"), user("Hi")], False)]
    return [case("default", FEATURE_MESSAGES, True, **variables)]


# ---------------------------------------------------------------- TinyCheckpoint's templates


def java_string_constant(java, name):
    """The value of `static final String NAME = "..." + "...";` in a Java source file."""
    m = re.search(r"String " + name + r"\s*=\s*(.*?);\n", java, re.S)
    if not m:
        raise SystemExit(f"{TINY_SOURCE}: constant {name} not found")
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'", "r": "\r"}
    return "".join(re.sub(r"\\(.)", lambda e: escapes[e.group(1)], p) for p in parts)


TINY = {  # family -> (template constant, special tokens TinyCheckpoint writes into tokenizer_config.json)
    "llama": ("LLAMA3_TEMPLATE", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    "qwen2": ("CHATML_TEMPLATE", {"eos_token": "<|im_end|>"}),
    "mistral": ("MISTRAL_TEMPLATE", {"bos_token": "<s>", "eos_token": "</s>"}),
}

TINY_CASES = COMMON_CASES + [
    case("alternating_with_assistant", [user("Hi"), assistant("Hello!"), user("Bye")], False),
]


# ---------------------------------------------------------------- main


def write(name, templates):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({"generator": "tools/chat_fixtures.py (jinja2 " + jinja2.__version__ + ")",
                                "templates": templates}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n = sum(len(t["cases"]) for t in templates)
    print(f"wrote {path.relative_to(ROOT)}: {len(templates)} template(s), {n} case(s)")


def inline(name, source, special_tokens, cases):
    return {"name": name, "source": {"text": source}, "special_tokens": special_tokens,
            "cases": run_cases(source, special_tokens, cases)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="/work/shared", help="shared data directory (holds data/tokenizers/qwen3)")
    args = parser.parse_args()

    qwen3_dir = "data/tokenizers/qwen3"
    config = json.loads((Path(args.shared) / qwen3_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    source = config["chat_template"]
    tokens = special_tokens_map(config)
    write("qwen3", [{"name": "qwen3",
                     "source": {"tokenizer_config": qwen3_dir,
                                "sha256": hashlib.sha256(source.encode("utf-8")).hexdigest()},
                     "special_tokens": tokens, "cases": run_cases(source, tokens, QWEN3_CASES)}])

    write("llama3", [inline("llama3", LLAMA3, {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
                            LLAMA3_CASES)])
    write("chatml", [inline("chatml", CHATML, {"eos_token": "<|im_end|>"}, COMMON_CASES),
                     inline("zephyr", ZEPHYR, {"eos_token": "</s>"}, COMMON_CASES)])
    family_tokens = {"bos_token": "<s>", "eos_token": "</s>"}
    write("families", [inline("alternating", ALTERNATING, family_tokens, FAMILY_CASES),
                       inline("instruct", INSTRUCT, family_tokens, FAMILY_CASES),
                       inline("reasoner", REASONER, family_tokens, FAMILY_CASES)])

    java = TINY_SOURCE.read_text(encoding="utf-8")
    tiny = []
    for family, (constant, tokens) in TINY.items():
        source = java_string_constant(java, constant)
        tiny.append({"name": "tiny-" + family, "source": {"tiny_checkpoint": family, "text": source},
                     "special_tokens": tokens, "cases": run_cases(source, tokens, TINY_CASES)})
    write("tiny", tiny)

    feature_tokens = {"bos_token": "<s>", "eos_token": "</s>", "additional_special_tokens": ["<a>", "<b>"]}
    write("features", [inline(name, source, feature_tokens, feature_cases(name, source))
                       for name, source in FEATURES.items()])


if __name__ == "__main__":
    main()
