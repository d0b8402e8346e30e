"""The prompt catalogue: complete for the flows and the dialplan, both languages (V11), and
renderable to 8 kHz placeholders."""

from __future__ import annotations

import ast
import re
import shutil
import wave
from pathlib import Path
from typing import get_args

import pytest

from ivr import prompt_render
from ivr.prompts import DIALPLAN_PROMPTS, PROMPT_IDS, PROMPTS, PromptId, prompt_file

ROOT = Path(__file__).resolve().parents[2]
FLOWS = sorted((ROOT / "ivr" / "flows").glob("*.py"))
DIALPLAN = sorted((ROOT / "dialplan").glob("*.conf"))
_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_ASK_PROMPT_KEYWORDS = frozenset({"question", "invalid_prompt", "silence_prompt"})
_DIALPLAN_PROMPT = re.compile(r"consult-line/\$\{[^}]+\}/([a-z0-9-]+)")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# Informal Russian pronouns; the line addresses callers formally, with a capital «Вы».
_INFORMAL = re.compile(r"(?<![А-Яа-яЁё])(вы|вас|вам|вами|ваш[а-я]*)(?![А-Яа-яЁё])")


def _prompt_ids_in_flows() -> dict[str, set[str]]:
    """Prompt ids named in ivr/flows/*.py, by file: every literal given as a prompt to
    ``play``/``prompt_file`` (first argument) or ``ask`` (the question, ``invalid_prompt``,
    ``silence_prompt``), and every hyphenated lowercase literal (in the flows those are
    prompt ids: route names live in ivr.route_names).

    Flows must name prompts with literals, so that this scan sees them all; only the helpers
    in menus.py pass ids along in variables (typed ``PromptId``, which mypy checks)."""
    found: dict[str, set[str]] = {}
    for path in FLOWS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _prompt_nodes(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.setdefault(node.value, set()).add(path.name)
            else:
                assert path.name == "menus.py", f"{path.name}: prompt {ast.unparse(node)}"
    return found


def _prompt_nodes(tree: ast.AST) -> list[ast.expr]:
    nodes: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "-" in node.value and _ID.fullmatch(node.value):
                nodes.append(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            nodes.extend(_prompt_arguments(node, node.func.id))
    return nodes


def _prompt_arguments(call: ast.Call, name: str) -> list[ast.expr]:
    if name in ("play", "prompt_file"):
        return call.args[:1]
    if name == "ask":
        keywords = [kw.value for kw in call.keywords if kw.arg in _ASK_PROMPT_KEYWORDS]
        return call.args[2:3] + keywords
    return []


def test_flows_were_scanned() -> None:
    assert {path.name for path in FLOWS} >= {"entry.py", "survey.py", "menus.py"}
    found = _prompt_ids_in_flows()
    assert {"topic-menu", "goodbye", "survey-quality", "invalid-choice"} <= set(found)


def test_every_prompt_the_flows_name_is_in_the_catalogue() -> None:
    missing = {pid: files for pid, files in _prompt_ids_in_flows().items() if pid not in PROMPTS}
    assert missing == {}


def test_every_catalogue_prompt_is_used_by_a_flow_or_the_dialplan() -> None:
    unused = set(PROMPTS) - set(_prompt_ids_in_flows()) - DIALPLAN_PROMPTS
    assert unused == set()


def test_the_dialplans_prompts_are_in_the_catalogue() -> None:
    assert set(PROMPTS) >= DIALPLAN_PROMPTS
    assert {
        "agi-failure",
        "closed-hours",
        "goodbye",
        "no-operators",
        "transfer-unavailable",
        "callback-dial-failed",
    } <= DIALPLAN_PROMPTS
    if not DIALPLAN:
        pytest.skip("no dialplan/*.conf in this checkout")
    used = {m for path in DIALPLAN for m in _DIALPLAN_PROMPT.findall(path.read_text("utf-8"))}
    assert used, "the dialplan plays no consult-line prompt?"
    assert used <= set(PROMPTS), used - set(PROMPTS)


def test_typed_ids_and_catalogue_keys_are_the_same_set() -> None:
    # PromptId is what mypy checks the flows against; PROMPTS is what gets recorded.
    assert set(get_args(PromptId)) == set(PROMPTS) == PROMPT_IDS


@pytest.mark.parametrize("prompt_id", sorted(PROMPTS))
def test_prompt_has_a_well_formed_id_and_both_languages(prompt_id: str) -> None:
    text = PROMPTS[prompt_id]
    assert _ID.fullmatch(prompt_id)
    assert text.ru
    assert text.ru.strip() == text.ru
    assert text.en
    assert text.en.strip() == text.en
    assert _CYRILLIC.search(text.ru), "the Russian text is Russian"
    if not prompt_id.startswith("welcome-language"):  # the bilingual greeting (and by voice)
        assert not _CYRILLIC.search(text.en), "the English text is English"
    assert not _INFORMAL.search(text.ru), "formal «Вы», capitalised"
    assert not re.search(r"\d{2,}", text.ru), "numbers are spelled out for the voice"


def test_prompt_file_names_the_language_folder() -> None:
    assert prompt_file("goodbye", "ru") == "consult-line/ru/goodbye"
    assert prompt_file("topic-menu", "en") == "consult-line/en/topic-menu"
    with pytest.raises(KeyError):
        prompt_file("no-such-prompt", "ru")
    with pytest.raises(ValueError, match="de"):
        prompt_file("goodbye", "de")


def test_render_without_espeak_ng_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(prompt_render.shutil, "which", lambda _name: None)
    assert prompt_render.main([str(tmp_path)]) == 1
    assert "espeak-ng" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_render_without_sox_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        prompt_render.shutil, "which", lambda name: None if name == "sox" else f"/usr/bin/{name}"
    )
    assert prompt_render.main([str(tmp_path)]) == 1
    assert "sox" in capsys.readouterr().err


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("sox") is None,
    reason="espeak-ng and sox are not installed (apt-get install espeak-ng sox)",
)
def test_render_writes_8khz_mono_16bit_wav_for_every_prompt_and_language(tmp_path: Path) -> None:
    assert prompt_render.main([str(tmp_path)]) == 0
    for language in ("ru", "en"):
        for prompt_id in PROMPTS:
            with wave.open(str(tmp_path / language / f"{prompt_id}.wav"), "rb") as audio:
                assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (
                    8000,
                    1,
                    2,
                )
                assert audio.getnframes() > 8000 * 0.3, f"{language}/{prompt_id} is near-silent"
