"""User text is text: whatever a string holds, `escape` makes pandoc read it as exactly that text."""

import json

import pypandoc
import pytest

from evalkit.report.markup import Md, escape, paragraphs, table

PAYLOADS = [
    "东海湾<img src=x onerror=alert(2)>",
    "`<script>alert(1)</script>`{=html}",
    "[x](javascript:alert(1))",
    "![x](/etc/passwd)",
    "`#text(fill: red, size: 30pt)[评价等级：AAA]`{=typst}",
    "`<w:r><w:t>AAA</w:t></w:r>`{=openxml}",
    "$x^2$ @cite *a* _b_ ~c~ ^d^ [^1] <https://example.org>",
    "1. list",
    "# heading",
    "| a | b |",
    "\\`x`{=html} \\\\",
]


def _inlines(markdown: str) -> list[dict]:
    """Every inline node pandoc reads from `markdown`, flattened."""
    doc = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if "t" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc["blocks"])
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escaped_text_reads_back_as_plain_text(payload):
    markdown = Md("段落：") + payload
    kinds = {node["t"] for node in _inlines(markdown)}
    assert kinds <= {"Para", "Str", "Space", "SoftBreak"}, kinds
    plain = pypandoc.convert_text(markdown, "plain", format="markdown", extra_args=["--wrap=none"]).strip()
    assert plain == "段落：" + payload


def test_format_escapes_arguments_but_keeps_number_formats():
    text = Md("**{name}**：{value:.2f}").format(name="*x*", value=3.14159)
    assert text == "**\\*x\\***：3\\.14"
    assert isinstance(text, Md)


def test_md_passes_through_and_strings_do_not():
    assert escape(Md("**b**")) == "**b**"
    assert Md("a").join(["*", Md("*")]) == "\\*a*"
    assert "<" not in escape("a<b").replace("\\<", "")


def test_control_characters_and_line_breaks_become_spaces():
    assert escape("a\nb\x1b[31mc\u2028d") == "a b \\[31mc d"


def test_table_cells_cannot_break_the_table():
    markdown = paragraphs(table(["字段", "值"], [["a|b", "c\nd"], [None, "<b>"]]))
    html = pypandoc.convert_text(markdown, "html", format="markdown")
    assert html.count("<tr") == 3
    assert "a|b" in html and "c d" in html and "&lt;b&gt;" in html and "—" in html
