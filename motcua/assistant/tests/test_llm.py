"""The optional rephrasing through an OpenAI-compatible endpoint: the stand-in process, over HTTP."""

from __future__ import annotations

import pytest

from motcua.assistant.services import assistant_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def llm_on(standins, settings):
    settings.MOTCUA_ASSISTANT_LLM_URL = f"{standins.url}/v1"
    settings.MOTCUA_ASSISTANT_LLM_API_KEY = "motcua-dev-llm-key"
    settings.MOTCUA_ASSISTANT_LLM_MODEL = "standin-chat"
    settings.MOTCUA_ASSISTANT_LLM_TIMEOUT_SECONDS = 2
    return standins


def test_off_by_default_template_answer(catalogue, standins) -> None:
    before = len(standins.messages("llm"))
    reply = assistant_reply(text="đăng ký kết hôn")
    assert reply.text.startswith("Thủ tục «Thủ tục đăng ký kết hôn»")
    assert len(standins.messages("llm")) == before  # nothing sent anywhere


def test_rephrased_by_the_model_keeping_the_facts(catalogue, llm_on) -> None:
    reply = assistant_reply(text="đăng ký kết hôn")
    assert reply.text.startswith("Dạ, Thủ tục «Thủ tục đăng ký kết hôn» (mã 1.000894).")
    sent = llm_on.messages("llm")[0]["content"]
    assert sent["messages"][0]["role"] == "system"
    assert "1.000894" in sent["messages"][1]["content"]  # the grounded answer is what is reworded


def test_model_changing_facts_is_ignored(catalogue, llm_on, settings) -> None:
    settings.MOTCUA_ASSISTANT_LLM_MODEL = "standin-drop-numbers"
    reply = assistant_reply(text="đăng ký kết hôn")
    assert reply.text.startswith("Thủ tục «Thủ tục đăng ký kết hôn» (mã 1.000894).")


def test_model_down_or_slow_falls_back_to_template(catalogue, llm_on, settings) -> None:
    settings.MOTCUA_ASSISTANT_LLM_URL = "http://127.0.0.1:9/v1"  # nothing listens there
    assert assistant_reply(text="đăng ký kết hôn").text.startswith("Thủ tục «")
    settings.MOTCUA_ASSISTANT_LLM_URL = f"{llm_on.url}/v1"
    settings.MOTCUA_ASSISTANT_LLM_API_KEY = "wrong"
    assert assistant_reply(text="đăng ký kết hôn").text.startswith("Thủ tục «")
    settings.MOTCUA_ASSISTANT_LLM_API_KEY = "motcua-dev-llm-key"
    settings.MOTCUA_ASSISTANT_LLM_MODEL = "standin-slow"
    settings.MOTCUA_ASSISTANT_LLM_TIMEOUT_SECONDS = 0.5
    assert assistant_reply(text="đăng ký kết hôn").text.startswith("Thủ tục «")
