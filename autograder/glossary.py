"""The course's glossary (course/GLOSSARY.md): its Korean house terms by their English, for the
class report's labels in both languages ("pass rate · 통과율").

A term is a row of one of the glossary's term tables: five cells, the first the house term (it
holds Hangul), the second its English. tests/test_korean.py reads the same rows.
"""
import re
from pathlib import Path

HANGUL = re.compile("[\uac00-\ud7a3]")
HEADER = "한국어 (house term)"  # the first cell of a term table's header row


def path_of(root):
    return Path(root) / "course" / "GLOSSARY.md"


def rows(text):
    """[(house term, English)] of the glossary's term tables, in the order they appear."""
    found = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 5 and HANGUL.search(cells[0]) and cells[0] != HEADER:
            found.append((cells[0], cells[1]))
    return found


def korean(root):
    """{English: house term} of the course at ``root``; {} when it has no glossary."""
    path = path_of(root)
    return {english: term for term, english in rows(path.read_text(encoding="utf-8"))} if path.is_file() else {}
