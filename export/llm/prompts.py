"""The chat template as plain strings (the manifest's ``prompt_format``), and ``prompts.json`` for the phone benchmark.

``prompt_format`` is read off the model's own Jinja template by rendering it around marker strings, then
checked: rendering the format for the smoke prompt must give exactly what the template gives.
"""

from __future__ import annotations

import json
from pathlib import Path

from mobilekit.export.errors import ExportError

_SYS, _USR, _ASST = "\u0001SYSTEM\u0001", "\u0002USER\u0002", "\u0003ASSISTANT\u0003"


def render_template(template: str, messages: list[dict], add_generation_prompt: bool) -> str:
    """Render a chat template the way transformers does (sandboxed Jinja, trim/lstrip blocks)."""
    from jinja2.exceptions import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(messages=messages, add_generation_prompt=add_generation_prompt,
                                            bos_token="", eos_token="")


def prompt_format(template: str | None) -> dict:
    """``system``/``default_system``/``user``/``assistant_prefix``/``assistant_suffix`` from a chat template."""
    if not template:
        return {"system": None, "default_system": None, "user": "{content}", "assistant_prefix": "", "assistant_suffix": None}
    sys_only = render_template(template, [{"role": "system", "content": _SYS}], False)
    both = render_template(template, [{"role": "system", "content": _SYS}, {"role": "user", "content": _USR}], False)
    both_gen = render_template(template, [{"role": "system", "content": _SYS}, {"role": "user", "content": _USR}], True)
    if not both.startswith(sys_only) or not both_gen.startswith(both):
        raise ExportError("The model's chat template cannot be written as plain prefix strings for the apps.",
                          hint="The apps need system/user/assistant segments that concatenate; render prompts on the host instead.")
    system = sys_only.replace(_SYS, "{content}")
    user = both[len(sys_only):].replace(_USR, "{content}")
    prefix = both_gen[len(both):]
    user_alone = render_template(template, [{"role": "user", "content": _USR}], False)
    default_system = None
    if user_alone != both[len(sys_only):]:
        head = user_alone[: len(user_alone) - len(both[len(sys_only):])]
        before, _, after = system.partition("{content}")
        if head.startswith(before) and head.endswith(after):
            default_system = head[len(before): len(head) - len(after)]
    turn = render_template(template, [{"role": "system", "content": _SYS}, {"role": "user", "content": _USR},
                                      {"role": "assistant", "content": _ASST}], False)
    suffix = turn.split(_ASST, 1)[1] if _ASST in turn else None
    return {"system": system, "default_system": default_system, "user": user, "assistant_prefix": prefix,
            "assistant_suffix": suffix}


def render_chat(fmt: dict, text: str) -> str:
    """The string an app tokenizes for one user turn (docs/llm-contract.md, "Generating")."""
    out = ""
    if fmt.get("system") and fmt.get("default_system"):
        out += fmt["system"].replace("{content}", fmt["default_system"])
    return out + fmt["user"].replace("{content}", text) + fmt["assistant_prefix"]


def check_format(template: str | None, fmt: dict, text: str) -> None:
    """The plain-string format must render exactly like the Jinja template (else the apps would prompt differently)."""
    if not template:
        return
    want = render_template(template, [{"role": "user", "content": text}], True)
    got = render_chat(fmt, text)
    if want != got:
        raise ExportError(f"prompt_format renders {got!r} but the chat template renders {want!r}.",
                          hint="This chat template has turn-dependent logic the apps' plain strings cannot express.")


def benchmark_prompts(eval_docs: tuple[str, ...], encode, fmt: dict, targets=(128, 256), limit: int | None = None) -> list[dict]:
    """A short chat question and chat prompts of about ``targets`` tokens (a real passage to summarise);
    ``limit`` caps a prompt's tokens (the KV cache must also hold the answer)."""
    from mobilekit.export.llm.texts import CHAT_PROMPTS

    prompts = [{"id": "chat-short", "text": CHAT_PROMPTS[0], "chat": True}]
    if limit is not None:
        capped = [t for t in targets if t <= limit]
        targets = tuple(capped) if capped else (limit,)
    passage = "\n\n".join(eval_docs)
    words = passage.split()
    for target in targets:
        lo, hi = 8, len(words)
        best = None
        while lo <= hi:  # the longest passage whose rendered prompt stays within the target
            mid = (lo + hi) // 2
            text = "Summarize the following passage in two sentences.\n\n" + " ".join(words[:mid])
            n = len(encode(render_chat(fmt, text)))
            if n <= target:
                best, lo = text, mid + 1
            else:
                hi = mid - 1
        prompts.append({"id": f"chat-{target}", "text": best, "chat": True})
    for p in prompts:
        p["rendered"] = render_chat(fmt, p["text"])
        p["prompt_tokens"] = len(encode(p["rendered"]))
    return prompts


def write_prompts(path: Path, prompts: list[dict], max_new_tokens: int) -> dict:
    from mobilekit import schemas

    doc = {"schema": "mobilekit.prompts/1", "max_new_tokens": max_new_tokens,
           "prompts": [{k: v for k, v in p.items() if k in ("id", "text", "chat", "prompt_tokens", "rendered", "expected")}
                       for p in prompts]}
    problems = schemas.errors(doc, "prompts.schema.json")
    if problems:
        raise ValueError("prompts.json does not match schemas/prompts.schema.json: " + "; ".join(problems[:5]))
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return doc
