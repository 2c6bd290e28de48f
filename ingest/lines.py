"""The line record every reader produces and every later step consumes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One physical line of extracted text.

    Attributes:
        text: The line as extracted, without its newline (may carry leading/trailing spaces,
            which are layout hints: extracted UN text ends a paragraph's last line with a space).
        page: 1-based PDF page, or None for formats without pages.
        brk: True when the source marks a paragraph break before this line (a blank line in
            prose text, a new DOCX paragraph or HTML block). False means "maybe a wrapped line".
        heading: True when the source marks the line as a heading (DOCX Heading style, HTML h1-h6).
        hard: True when the source's line structure is reliable (DOCX, HTML, prose text with blank
            lines between paragraphs): then ``brk=False`` means "continues the previous line".
    """

    text: str
    page: int | None = None
    brk: bool = False
    heading: bool = False
    hard: bool = False
