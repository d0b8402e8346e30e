"""Checking the knowledge-base files: every problem at once, each with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts_kb.content_files import CONTENT_DIR, EntryKind, KbContentError, load_content
from tests.scripts_kb.kb_samples import ENTRIES, write_content


def _problems(root: Path) -> list[str]:
    with pytest.raises(KbContentError) as caught:
        load_content(root)
    return [str(problem) for problem in caught.value.problems]


def test_sample_content_loads_with_all_entries(tmp_path: Path) -> None:
    content = load_content(write_content(tmp_path))
    assert len(content.entries) == len(ENTRIES)
    assert [s.id for s in content.sections] == ["alco", "hours"]
    fee = next(e for e in content.entries if e.id == "alco-license-fee")
    assert fee.kind is EntryKind.FAQ
    assert fee.links == ("alco-license-term",)
    assert fee.body.startswith("За выдачу лицензии")
    assert "Разделов: 2" in content.summary_lines()[0]


def test_every_problem_is_reported_at_once_with_file_line_and_field(tmp_path: Path) -> None:
    bad = """\
---
id: bad-entry
kind: poem
title: Плохая запись
section: alco
owner: licensing
topics: [state_services]
language: ru
last_reviewed: 2026-02-30
colour: red
---
Текст.
"""
    problems = _problems(write_content(tmp_path, {"alco/bad-entry.md": bad}))
    assert any(p.startswith("alco/bad-entry.md:3: kind: «poem» — нет такого") for p in problems)
    assert any(p.startswith("alco/bad-entry.md:9: last_reviewed: «2026-02-30»") for p in problems)
    assert any(p.startswith("alco/bad-entry.md:10: colour: неизвестное поле") for p in problems)


def test_cross_file_problems_name_the_line(tmp_path: Path) -> None:
    wrong = ENTRIES["alco/alco-license-term.md"]
    wrong = wrong.replace("id: alco-license-term", "id: alco-license-fee")
    wrong = wrong.replace("owner: licensing", "owner: nobody")
    wrong = wrong.replace("tags: [срок]", "tags: [срок]\nlinks: [no-such-entry]")
    orphan = ENTRIES["hours/hours-ministry.md"].replace("section: hours", "section: visits")
    problems = _problems(
        write_content(
            tmp_path, {"alco/alco-license-term.md": wrong, "hours/hours-ministry.md": orphan}
        )
    )
    term = "alco/alco-license-term.md"
    assert any(p.startswith(f"{term}:2: id: «alco-license-fee» не совпадает") for p in problems)
    assert any(p.startswith(f"{term}:2: id: «alco-license-fee» повторяется") for p in problems)
    assert any(p.startswith(f"{term}:6: owner: неизвестный отдел «nobody»") for p in problems)
    assert any(p.startswith(f"{term}:9: links[0]: нет записи «no-such-entry»") for p in problems)
    assert any(
        p.startswith("hours/hours-ministry.md:5: section: неизвестный раздел «visits»")
        for p in problems
    )


def test_missing_fields_empty_body_and_missing_front_matter(tmp_path: Path) -> None:
    no_title = "---\nid: no-title\nkind: faq\n---\n\n"
    problems = _problems(
        write_content(
            tmp_path,
            {"alco/no-title.md": no_title, "alco/plain.md": "Просто текст без заголовка.\n"},
        )
    )
    assert any(p.startswith("alco/no-title.md:") and "title: обязательное" in p for p in problems)
    assert "alco/plain.md:1: файл должен начинаться со строки «---»" in problems


def test_body_must_not_be_empty(tmp_path: Path) -> None:
    empty = ENTRIES["alco/alco-license-term.md"].split("---\n")[1]
    problems = _problems(
        write_content(tmp_path, {"alco/alco-license-term.md": f"---\n{empty}---\n"})
    )
    assert any("body: пустой текст" in p for p in problems)


def test_sections_file_problems_have_lines(tmp_path: Path) -> None:
    root = write_content(tmp_path)
    text = (root / "sections.yaml").read_text(encoding="utf-8")
    (root / "sections.yaml").write_text(
        text.replace("owner: consult", "owner: nobody").replace(
            "topics: [hours_and_visits]", "topics: [weather]"
        ),
        encoding="utf-8",
    )
    problems = _problems(root)
    assert any(
        p.startswith("sections.yaml:14: sections[1].owner: неизвестный отдел") for p in problems
    )
    assert any(p.startswith("sections.yaml:15: sections[1].topics[0]: «weather»") for p in problems)


def test_yaml_syntax_error_names_the_file_line(tmp_path: Path) -> None:
    broken = "---\nid: broken\ntitle: [unclosed\n---\nТекст.\n"
    problems = _problems(write_content(tmp_path, {"alco/broken.md": broken}))
    assert any(p.startswith("alco/broken.md:") and "синтаксиса YAML" in p for p in problems)


@pytest.mark.skipif(not (CONTENT_DIR / "sections.yaml").exists(), reason="no shipped content yet")
def test_shipped_content_passes_the_check() -> None:
    content = load_content(CONTENT_DIR)
    assert content.entries
