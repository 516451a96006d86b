"""Hostile corpus, family 5: reports and displays (issue 11).

User text (names, regions, notes) never becomes markup, a link or a script in
a report; GitHub's own Markdown renderer (cmark-gfm) is the judge for Markdown.
"""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import yzmaturity as yz
from yzmaturity._render.env import md_escape

cmarkgfm = pytest.importorskip("cmarkgfm")
pytest.importorskip("jinja2")

PAYLOADS = {
    "bare URL": "Evil Ltd http://evil.example/login",
    "https URL": "https://evil.example/?a=1&b=2",
    "ftp URL": "ftp://files.evil.example",
    "www address": "www.evil.example",
    "WWW upper case": "WWW.EVIL.EXAMPLE",
    "e-mail": "boss@evil.example",
    "mailto": "mailto:boss@evil.example",
    "xmpp": "xmpp:boss@evil.example",
    "markdown link": "[click](http://evil.example)",
    "markdown image": "![x](http://evil.example/track.png)",
    "angle autolink": "<http://evil.example>",
    "raw html": "<script>alert(1)</script>",
    "html img": '<img src=x onerror="alert(1)">',
    "table breaker": "a | b | c",
    "heading": "# Heading",
    "emphasis": "**bold** _it_ `code` ~~s~~ $x$",
    "entity": "&lt;script&gt;",
    "backslash": "\\<b>\\",
}


def _html_of_markdown(text: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(text)


def _links(html: str) -> list[str]:
    return re.findall(r"<(?:a|img|script)\b[^>]*>", html)


@pytest.fixture
def hostile_sheet(mini_sheet):
    def make(payload: str) -> dict:
        sheet = copy.deepcopy(mini_sheet)
        sheet["enterprise"]["name"] = payload
        sheet["enterprise"]["region"] = payload[:100]
        sheet["note"] = payload
        sheet["answers"]["E1"] = {"value": "some", "note": payload, "evidence": [payload[:200]]}
        return sheet

    return make


@pytest.mark.parametrize("case", sorted(PAYLOADS))
def test_user_text_is_no_link_nor_markup_in_a_markdown_report(case, mini, hostile_sheet):
    a = yz.assess(hostile_sheet(PAYLOADS[case]), mini)
    for lang in ("zh", "en"):
        markdown = a.report(lang=lang).to_markdown()
        html = _html_of_markdown(markdown)
        assert _links(html) == [], (case, _links(html))
        assert "<script" not in html.lower()


@pytest.mark.parametrize("case", sorted(PAYLOADS))
def test_user_text_is_escaped_in_an_html_report_and_display(case, mini, hostile_sheet):
    a = yz.assess(hostile_sheet(PAYLOADS[case]), mini)
    for html in (a.report(lang="en").to_html(), a._repr_mimebundle_()["text/html"]):
        assert "<script>alert" not in html
        assert (
            "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
            or "<img src=x" not in html
        )
        assert 'href="http://evil' not in html and "href='http://evil" not in html


def test_a_name_shows_as_the_text_it_is(mini, hostile_sheet):
    """The escaping is invisible to a reader: the rendered text reads as the name."""
    name = "扬州 www.evil.example a@b.example [x](y) *z*"
    a = yz.assess(hostile_sheet(name), mini)
    html = _html_of_markdown(a.report(lang="en").to_markdown())
    visible = re.sub(r"<[^>]+>", "", html).replace("\u200b", "").replace("&amp;", "&")
    assert name in visible


@settings(max_examples=1500, deadline=None, database=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "http://",
                "https://",
                "ftp://",
                "www.",
                "WWW.",
                "@",
                "mailto:",
                "xmpp:",
                "a",
                "b.example",
                ".",
                "/",
                ":",
                "[",
                "]",
                "(",
                ")",
                "!",
                "<",
                ">",
                "&",
                "*",
                "_",
                "`",
                "|",
                "\\",
                "~",
                "$",
                " ",
                "#",
                "-",
                "1",
                "x@y.z",
                "evil.example",
            ]
        ),
        max_size=20,
    ).map("".join)
)
def test_md_escape_leaves_no_link_for_cmark_gfm(text):
    html = _html_of_markdown(md_escape(text))
    assert _links(html) == [], (text, html)
    assert set(re.findall(r"</?(\w+)", html)) <= {"p"}, html


def test_an_unknown_language_is_an_error_for_summary_and_report(mini, mini_sheet):
    a = yz.assess(mini_sheet, mini)
    for call in (lambda: a.summary("xx"), lambda: a.report(lang="fr"), lambda: a.summary("")):
        with pytest.raises(yz.ReportError):
            call()
    b = yz.assess(mini_sheet, mini)
    with pytest.raises(yz.ReportError):
        yz.compare(a, b).summary("fr")


def test_a_report_save_is_atomic(mini, mini_sheet, tmp_path, monkeypatch):
    a = yz.assess(mini_sheet, mini)
    path = tmp_path / "r.html"
    path.write_text("old")
    import yzmaturity._fs as fs

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fs.os, "fsync", full)
    with pytest.raises(yz.FileWriteError) as info:
        a.report().save(path)
    assert info.value.code == "disk_full"
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_a_report_saved_to_a_folder_or_a_missing_folder_is_a_clear_error(mini, mini_sheet, tmp_path):
    report = yz.assess(mini_sheet, mini).report()
    (tmp_path / "dir.md").mkdir()
    for target, code in (
        (tmp_path / "dir.md", "is_a_folder"),
        (tmp_path / "no" / "r.md", "no_such_file_or_folder"),
    ):
        with pytest.raises(yz.FileWriteError) as info:
            report.save(target)
        assert info.value.code == code and str(target) in str(info.value)
