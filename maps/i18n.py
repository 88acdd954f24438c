"""User-facing wording in Vietnamese, English, Korean, Japanese and Simplified Chinese.

One gettext catalogue per language, ``maps/locale/<lang>/LC_MESSAGES/geozones.po`` (message ids
are keys such as ``col.area``; the English catalogue holds the English text). The ``.po`` files
are compiled to ``.mo`` in memory with Babel the first time a language is used and read with the
standard :mod:`gettext` module. Place names are data and stay Vietnamese in every language.

The language is chosen from an explicit ``lang=`` (``vi``, ``en``, ``ko``, ``ja``, ``zh-Hans``;
``zh``, ``zh-CN`` and ``zh_Hans`` are accepted for Chinese) or else from an ``Accept-Language``
header, falling back to Vietnamese.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from functools import cache
from pathlib import Path

from geozones.errors import GeozonesError, InvalidParameterError

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "geozones"
#: Languages as used in URLs and ``<html lang>``; the catalogue folder names differ only for Chinese.
LANGS: tuple[str, ...] = ("vi", "en", "ko", "ja", "zh-Hans")
DEFAULT_LANG = "vi"
#: CSS font stacks per language: Noto Sans for Latin and Vietnamese, then the language's own CJK face,
#: so ideographs shared by Chinese, Japanese and Korean take that language's forms.
FONT_STACKS: dict[str, str] = {
    "vi": '"Noto Sans", "DejaVu Sans", sans-serif',
    "en": '"Noto Sans", "DejaVu Sans", sans-serif',
    "ko": '"Noto Sans", "Noto Sans CJK KR", sans-serif',
    "ja": '"Noto Sans", "Noto Sans CJK JP", sans-serif',
    "zh-Hans": '"Noto Sans", "Noto Sans CJK SC", sans-serif',
}
#: Line breaking per language (CSS): Korean breaks between words only (spaces separate them), Japanese
#: follows the strict kinsoku rules (no small kana, ー or closing punctuation at a line start).
LINE_BREAK_CSS = (
    ":lang(ko){word-break:keep-all;overflow-wrap:break-word}"
    ":lang(ja){line-break:strict;word-break:normal;overflow-wrap:break-word}"
    ":lang(zh-Hans){line-break:strict}"
)
_FOLDERS = {"vi": "vi", "en": "en", "ko": "ko", "ja": "ja", "zh-Hans": "zh_Hans"}
_ALIASES = {
    "zh": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh_hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "zh_cn": "zh-Hans",
}


class UnsupportedLanguageError(InvalidParameterError):
    """A ``lang`` that has no catalogue; the message lists the languages there are."""

    def __init__(self, lang: str):
        self.lang = lang
        super().__init__(f"unsupported language {lang!r}; choose one of {', '.join(LANGS)}")


def normalise(lang: str) -> str | None:
    """The catalogue language for a tag (``'ko-KR'`` -> ``'ko'``, ``'zh-CN'`` -> ``'zh-Hans'``), else ``None``."""
    tag = str(lang).strip().replace("_", "-")
    lowered = tag.lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    for code in LANGS:
        if lowered == code.lower():
            return code
    primary = lowered.split("-")[0]
    if primary == "zh":
        # Traditional Chinese (zh-TW, zh-Hant) has no catalogue: do not serve it Simplified silently.
        return None if re.search(r"hant|tw|hk|mo", lowered) else "zh-Hans"
    return primary if primary in LANGS else None


def check_lang(lang: str) -> str:
    """The catalogue language for ``lang``; :class:`UnsupportedLanguageError` when there is none."""
    code = normalise(lang)
    if code is None:
        raise UnsupportedLanguageError(lang)
    return code


def negotiate(lang: str | None = None, accept_language: str | None = None) -> str:
    """The language to answer in: ``lang`` when given (must be supported), else the best
    ``Accept-Language`` match (RFC 9110 quality values), else :data:`DEFAULT_LANG`."""
    if lang:
        return check_lang(lang)
    best, best_q = None, 0.0
    for item in (accept_language or "").split(",")[:32]:
        parts = [p.strip() for p in item.split(";")]
        if not parts[0] or parts[0] == "*":
            continue
        q = 1.0
        for p in parts[1:]:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        code = normalise(parts[0])
        if code and q > best_q:
            best, best_q = code, q
    return best or DEFAULT_LANG


def po_path(lang: str) -> Path:
    """The ``.po`` catalogue of a language."""
    return LOCALE_DIR / _FOLDERS[check_lang(lang)] / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> _gettext.GNUTranslations:
    """The compiled catalogue of ``lang`` (``.po`` -> ``.mo`` with Babel, read by :mod:`gettext`)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@cache
def keys(lang: str = "en") -> tuple[str, ...]:
    """Every message key in the catalogue of ``lang``, in catalogue order."""
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as fh:
        return tuple(m.id for m in read_po(fh) if m.id)


def messages(lang: str) -> dict[str, str]:
    """Key -> text for every key of ``lang`` (what the browser pages embed)."""
    code = check_lang(lang)
    return {key: text(code, key) for key in keys("en")}


class MissingMessageError(GeozonesError, KeyError):
    """A message key that is not in a catalogue."""


def text(lang: str, key: str, /, **values) -> str:
    """The message ``key`` in ``lang`` with ``{placeholders}`` filled; :class:`MissingMessageError` if absent."""
    catalogue = translations(check_lang(lang))
    message = catalogue.gettext(key)
    if message == key and key not in keys(lang):
        raise MissingMessageError(f"no message {key!r} in the {lang} catalogue")
    return message.format(**values) if values else message


def number(value: float, lang: str, digits: int = 1) -> str:
    """A number with thousands separators for ``lang`` (Vietnamese ``1.234,5``; others ``1,234.5``)."""
    from babel.numbers import format_decimal

    locale = {"zh-Hans": "zh_Hans_CN"}.get(check_lang(lang), check_lang(lang))
    return format_decimal(
        round(float(value), digits), format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=locale
    )


__all__ = [
    "FONT_STACKS",
    "LINE_BREAK_CSS",
    "LANGS",
    "DEFAULT_LANG",
    "UnsupportedLanguageError",
    "MissingMessageError",
    "normalise",
    "check_lang",
    "negotiate",
    "translations",
    "keys",
    "messages",
    "text",
    "number",
    "po_path",
]
