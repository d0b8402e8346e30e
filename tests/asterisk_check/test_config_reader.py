"""Asterisk .conf files read as Asterisk's config.c reads them (on top of pyst2's Item)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asterisk_check.config_reader import ConfigReadError, read_config
from tests.asterisk_samples import SAMPLES


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_templates_are_hidden_and_their_settings_come_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "queues.conf",
        "[base](!)\nstrategy = ringall\nsetinterfacevar = yes\n"
        "[extra](!)\nretry = 5\n"
        "[Consult-Line](base,extra)\nstrategy = leastrecent\n",
    )
    config = read_config(path)
    assert [s.name for s in config.sections if not s.template] == ["Consult-Line"]
    assert config.section("base") is None  # ast_category_get skips templates
    queue = config.section("consult-line")  # names compare case-insensitively
    assert queue is not None
    assert queue.bases == ("base", "extra")
    assert queue.values("strategy") == ["ringall", "leastrecent"]
    assert queue.get("STRATEGY") == "leastrecent"  # the last value is the effective one
    assert queue.get("setinterfacevar") == "yes"
    assert [s.inherited for s in queue.settings] == [True, True, True, False]


def test_shipped_pjsip_endpoints_inherit_their_templates() -> None:
    config = read_config(SAMPLES / "pjsip.conf")
    endpoint, auth, aor = config.sections_named("201")
    assert endpoint.get("context") == "consult-line-operators"
    assert endpoint.get("aors") == "201"
    assert auth.get("auth_type") == "userpass"
    assert aor.get("max_contacts") == "1"


def test_plus_adds_to_the_existing_section(tmp_path: Path) -> None:
    path = write(tmp_path, "m.conf", "[general]\nenabled = no\n[general](+)\nenabled = yes\n")
    config = read_config(path)
    assert len(config.sections) == 1
    assert config.get("general", "enabled") == "yes"


def test_comments_escapes_arrows_and_appends(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "extensions.conf",
        "; a comment\n"
        "[c] ; after a header\n"
        "exten => s,1,Set(A=a\\;b) ; the first ; is literal\n"
        ";-- a block comment\n"
        "fake = 1\n"
        " ;-- nested --; still inside\n"
        "--; after = 2\n"
        "key = one ;-- inline --; two\n"
        ";--- three dashes: a plain comment\n"
        "list = a\n"
        "list += ,b\n",
    )
    section = read_config(path).sections[0]
    assert [(s.key, s.value, s.arrow) for s in section.settings] == [
        ("exten", "s,1,Set(A=a;b)", True),
        ("after", "2", False),
        ("key", "one  two", False),
        ("list", "a,b", False),
    ]


def test_includes_are_relative_to_the_etc_folder_and_expanded_in_place(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    write(etc, "consult-line.conf", "[consult-line-inbound]\nexten => s,1,Answer()\n")
    write(etc, "parts/one.conf", "x = 1\n")  # starts in the section current at the #include
    main = write(
        etc,
        "sub/extensions.conf",
        '[globals]\n#include "consult-line.conf"\nafter = own\n[g]\n#include <parts/*.conf>\n'
        "#tryinclude missing.conf\n",
    )
    config = read_config(main, etc)
    assert [s.name for s in config.sections] == ["globals", "consult-line-inbound", "g"]
    # After the #include, the including file goes on in its own section (config.c).
    assert config.get("globals", "after") == "own"
    assert config.get("g", "x") == "1"
    assert [(i.name, i.files) for i in config.includes] == [
        ("consult-line.conf", (etc / "consult-line.conf",)),
        ("parts/*.conf", (etc / "parts" / "one.conf",)),
        ("missing.conf", ()),
    ]
    assert config.missing_includes == []  # #tryinclude may miss


def test_a_missing_include_is_recorded_not_raised(tmp_path: Path) -> None:
    path = write(tmp_path, "extensions.conf", '[globals]\n#include "consult-line.conf"\n')
    (missing,) = read_config(path).missing_includes
    assert (missing.name, str(missing.where)) == ("consult-line.conf", "extensions.conf:2")


def test_lines_asterisk_skips_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "a.conf", "[a]\nno equals sign\n#exec /bin/true\nk = v\n")
    config = read_config(path)
    assert config.get("a", "k") == "v"
    assert config.skipped == ["a.conf:2: нет «=»: no equals sign", "a.conf:3: #exec /bin/true"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[general\nk = v\n", "a.conf:1: нет закрывающей «]»"),
        ("[x](base\n", "a.conf:1: нет закрывающей «)»"),
        ("[x](nobase)\n", "a.conf:1: [x](nobase): нет секции [nobase]"),
        ("[x](+)\n", "a.conf:1: [x](+): секции [x] ещё нет"),
        ("k = v\n", "a.conf:1: настройка до первой [секции]"),
        ('[a]\n#include "a.conf"\n', "a.conf:2: #include 'a.conf' включает сам себя"),
    ],
)
def test_what_asterisk_refuses_names_file_and_line(tmp_path: Path, text: str, error: str) -> None:
    path = write(tmp_path, "a.conf", text)
    with pytest.raises(ConfigReadError) as raised:
        read_config(path)
    assert str(raised.value).startswith(error)


def test_bom_and_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.conf"
    path.write_bytes(b"\xef\xbb\xbf[a]\n; \xcf\xf0\xe8\xec\xe5\xf0 (cp1251)\nk = v\n")
    assert read_config(path).get("a", "k") == "v"
