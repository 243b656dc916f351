"""Markdown for text the user chose (class names, file names): it shows as written, never as
markup or HTML, in the package's README and NOTICE."""

from __future__ import annotations

import re

HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}  # entities: no tag survives any renderer
PUNCTUATION = "\\`*_[]|~$"  # backslash-escaped: emphasis, code, links, table cells, math
LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
BACKTICKS = re.compile(r"`+")


def one_line(text: str) -> str:
    """`text` with line breaks and control characters as single spaces."""
    return LINE_BREAKS.sub(" ", text)


def md_text(text: str) -> str:
    """`text` for running Markdown text or a table cell (not the start of a line)."""
    return "".join(
        HTML.get(char, f"\\{char}" if char in PUNCTUATION else char) for char in one_line(text)
    )


def _fence(text: str, shortest: int) -> str:
    """Backticks longer than any run of them in `text`, at least `shortest`."""
    return "`" * max(shortest, 1 + max((len(run) for run in BACKTICKS.findall(text)), default=0))


def md_code(text: str) -> str:
    """`text` as an inline code span, whatever backticks it holds."""
    text = one_line(text)
    fence = _fence(text, 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def md_code_block(text: str) -> str:
    """`text` as a fenced code block, whatever backticks it holds."""
    fence = _fence(text, 3)
    return f"{fence}\n{text}\n{fence}\n"
