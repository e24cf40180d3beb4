"""The Chinese translation is complete and the committed .mo matches the .po."""
from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
ENTRY = re.compile(
    r'^(?P<flags>(?:#.*\n)*)(?:msgctxt (?P<ctx>"(?:.*)"\n(?:".*"\n)*))?msgid (?P<id>"(?:.*)"\n(?:".*"\n)*)'
    r'(?:msgid_plural .*\n(?:".*"\n)*)?(?P<strs>(?:msgstr(?:\[\d\])? "(?:.*)"\n(?:".*"\n)*)+)',
    re.M,
)


def _join(quoted: str) -> str:
    return "".join(ast.literal_eval(line) for line in quoted.strip().splitlines())


def po_entries() -> list[tuple[str, list[str], str]]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8") + "\n"
    entries = []
    for match in ENTRY.finditer(text):
        msgid = _join(match["id"])
        if not msgid:
            continue  # the header
        if match["ctx"]:  # gettext's key of a message with a context
            msgid = f"{_join(match['ctx'])}\x04{msgid}"
        strs = [_join(part) for part in re.split(r'^msgstr(?:\[\d\])? ', match["strs"], flags=re.M) if part.strip()]
        entries.append((msgid, strs, match["flags"]))
    return entries


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 300
    untranslated = [msgid for msgid, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, strs, _ in po_entries() if len(strs) == 1 and catalogue.gettext(msgid) != strs[0]]
    assert stale == [], "run `make messages` to recompile locale/zh_Hans/LC_MESSAGES/django.mo"
