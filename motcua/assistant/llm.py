"""Optional rephrasing by a generative model — diễn đạt lại: any OpenAI-compatible chat endpoint.

Off unless ``MOTCUA_ASSISTANT_LLM_URL`` is set (the base URL, e.g. ``https://host/v1``; we POST to
``<base>/chat/completions`` with ``MOTCUA_ASSISTANT_LLM_MODEL`` and the bearer
``MOTCUA_ASSISTANT_LLM_API_KEY``). The model may only reword the grounded answer: the answer it returns
must keep every number and code of the template answer and add none, else the template is used. Any
failure (refused, timed out after ``MOTCUA_ASSISTANT_LLM_TIMEOUT_SECONDS``, malformed) → the template.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "Bạn là trợ lý ảo của Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh. Hãy diễn đạt lại câu trả lời "
    "sau cho thân thiện, ngắn gọn, dễ hiểu với người cao tuổi. Giữ nguyên mọi con số, mã, tên thủ tục và "
    "giấy tờ; không thêm thông tin nào khác."
)
# Numbers (with . or , inside) and procedure/dossier codes: what must survive a rephrasing.
_FACT = re.compile(r"\d+(?:[.,]\d+)*")


def facts_of(text: str) -> set[str]:
    return set(_FACT.findall(text))


def llm_enabled() -> bool:
    return bool(getattr(settings, "MOTCUA_ASSISTANT_LLM_URL", ""))


def rephrase(text: str, *, language: str = "vi") -> str:
    """``text`` reworded by the configured model, or ``text`` itself (off, failure, facts changed)."""
    base = str(getattr(settings, "MOTCUA_ASSISTANT_LLM_URL", "") or "").rstrip("/")
    if not base or not text:
        return text
    system = SYSTEM_PROMPT + (" Answer in English." if language == "en" else "")
    body = {
        "model": getattr(settings, "MOTCUA_ASSISTANT_LLM_MODEL", "") or "default",
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": text}],
        "temperature": 0.2,
    }
    request = urllib.request.Request(
        f"{base}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    if key := getattr(settings, "MOTCUA_ASSISTANT_LLM_API_KEY", ""):
        request.add_header("Authorization", f"Bearer {key}")
    timeout = float(getattr(settings, "MOTCUA_ASSISTANT_LLM_TIMEOUT_SECONDS", 2.0))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())["choices"][0]["message"]["content"]
    except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.warning("Assistant rephrasing unavailable, template answer used: %s", exc)
        return text
    if not isinstance(answer, str) or not answer.strip():
        return text
    answer = answer.strip()
    if facts_of(answer) != facts_of(text):
        logger.warning("Assistant rephrasing changed the facts, template answer used")
        return text
    return answer
