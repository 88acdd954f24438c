"""The text encodings of Vietnamese survey files: UTF-8, Windows-1258, TCVN3 (ABC) and VNI Windows.

A provincial office's shapefiles are often older than UTF-8: their ``.dbf`` text is in TCVN3
(the ABC fonts' TCVN 5712:1993 code), VNI Windows (the VNI fonts' code, a base letter followed
by a diacritic byte) or Windows-1258 (precomposed vowels with combining tone marks), with or
without a ``.cpg`` naming it. This module decodes such bytes to Unicode NFC, and guesses the
encoding of text whose ``.cpg`` is missing or wrong from how many of its words are valid
Vietnamese syllables (:func:`choose_encoding`).

No maintained Python converter for TCVN3 or VNI exists on PyPI, so the code tables are here:

* **TCVN3 / TCVN 5712:1993** -- :data:`TCVN3_HIGH` is the byte -> Unicode table of glibc's
  ``TCVN5712-1`` charmap (localedata/charmaps/TCVN5712-1, the VN1 table of TCVN 5712:1993, of
  which the ABC fonts' VN3 is a subset); bytes 0xB0-0xB4 are combining tone marks, composed here
  by NFC. ``tests/io/test_encodings.py`` compares it with the charmap file and with ``iconv``.
* **VNI Windows** -- each letter is an ASCII or Latin-1 base byte followed, for the modified and
  toned vowels, by one diacritic byte (:data:`VNI_TONES` and :data:`VNI_BASES`; the table
  published by VNI Software for its fonts, as reproduced in xvnkb's ``vni.h``).
* **Windows-1258** -- Python's ``cp1258`` codec, then NFC (Windows-1258 text carries tone marks
  as separate combining characters; GDAL's iconv-based reading of it drops the last character of
  every value because iconv holds a base letter back until it knows no tone mark follows, and
  GDAL never flushes it: geozones therefore reads the raw bytes and decodes them itself).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

#: The encodings geozones reads (``--encoding``), with the names they are known by.
ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "cp1258": "Windows-1258 (Vietnamese)",
    "tcvn3": "TCVN3 / TCVN 5712:1993 (ABC fonts)",
    "vni": "VNI Windows (VNI fonts)",
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "ISO-8859-1",
}

_ALIASES = {
    "utf8": "utf-8",
    "65001": "utf-8",
    "1258": "cp1258",
    "cp1258": "cp1258",
    "windows1258": "cp1258",
    "ansi1258": "cp1258",
    "windowsvietnamese": "cp1258",
    "tcvn": "tcvn3",
    "tcvn3": "tcvn3",
    "abc": "tcvn3",
    "tcvn5712": "tcvn3",
    "tcvn57121": "tcvn3",
    "tcvn57121993": "tcvn3",
    "vn3": "tcvn3",
    "vni": "vni",
    "vniwindows": "vni",
    "vniwin": "vni",
    "1252": "cp1252",
    "cp1252": "cp1252",
    "windows1252": "cp1252",
    "ansi1252": "cp1252",
    "ansi": "cp1252",
    "88591": "latin-1",
    "iso88591": "latin-1",
    "latin1": "latin-1",
}

#: Bytes 0x80-0xFF of TCVN 5712:1993 (VN1), from glibc's TCVN5712-1 charmap.
TCVN3_HIGH = (
    "\u00c0\u1ea2\u00c3\u00c1\u1ea0\u1eb6\u1eac\u00c8\u1eba\u1ebc\u00c9\u1eb8\u1ec6\u00cc\u1ec8\u0128"
    "\u00cd\u1eca\u00d2\u1ece\u00d5\u00d3\u1ecc\u1ed8\u1edc\u1ede\u1ee0\u1eda\u1ee2\u00d9\u1ee6\u0168"
    "\u00a0\u0102\u00c2\u00ca\u00d4\u01a0\u01af\u0110\u0103\u00e2\u00ea\u00f4\u01a1\u01b0\u0111\u1eb0"
    "\u0300\u0309\u0303\u0301\u0323\u00e0\u1ea3\u00e3\u00e1\u1ea1\u1eb2\u1eb1\u1eb3\u1eb5\u1eaf\u1eb4"
    "\u1eae\u1ea6\u1ea8\u1eaa\u1ea4\u1ec0\u1eb7\u1ea7\u1ea9\u1eab\u1ea5\u1ead\u00e8\u1ec2\u1ebb\u1ebd"
    "\u00e9\u1eb9\u1ec1\u1ec3\u1ec5\u1ebf\u1ec7\u00ec\u1ec9\u1ec4\u1ebe\u1ed2\u0129\u00ed\u1ecb\u00f2"
    "\u1ed4\u1ecf\u00f5\u00f3\u1ecd\u1ed3\u1ed5\u1ed7\u1ed1\u1ed9\u1edd\u1edf\u1ee1\u1edb\u1ee3\u00f9"
    "\u1ed6\u1ee7\u0169\u00fa\u1ee5\u1eeb\u1eed\u1eef\u1ee9\u1ef1\u1ef3\u1ef7\u1ef9\u00fd\u1ef5\u1ed0"
)
#: Control bytes that TCVN 5712:1993 VN1 uses for capital letters (glibc's charmap).
TCVN3_LOW = {
    0x01: "\u00da",
    0x02: "\u1ee4",
    0x04: "\u1eea",
    0x05: "\u1eec",
    0x06: "\u1eee",
    0x11: "\u1ee8",
    0x12: "\u1ef0",
    0x13: "\u1ef2",
    0x14: "\u1ef6",
    0x15: "\u1ef8",
    0x16: "\u00dd",
    0x17: "\u1ef4",
}
_TCVN3_DECODE = [chr(b) for b in range(0x80)] + list(TCVN3_HIGH)
for _byte, _char in TCVN3_LOW.items():
    _TCVN3_DECODE[_byte] = _char

# --- VNI Windows --------------------------------------------------------------------------
# The combining tone marks, in VNI's order: acute, grave, hook above, tilde, dot below.
_TONES = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
#: Lower-case VNI tone bytes (as Latin-1 characters) after a plain vowel, a circumflex vowel and a breve vowel.
VNI_TONES = {"plain": "ùøûõï", "circumflex": "áàåãä", "breve": "éèúüë"}
#: Lower-case Unicode base letter -> (VNI bytes as Latin-1 text, which tone row it takes).
VNI_BASES = {
    "a": ("a", "plain"),
    "â": ("aâ", "circumflex"),
    "ă": ("aê", "breve"),
    "e": ("e", "plain"),
    "ê": ("eâ", "circumflex"),
    "o": ("o", "plain"),
    "ô": ("oâ", "circumflex"),
    "ơ": ("ô", "plain"),
    "u": ("u", "plain"),
    "ư": ("ö", "plain"),
    "y": ("y", "plain"),
}
#: Letters VNI writes as one byte: i with its tones, y with a dot below, đ.
VNI_SINGLE = {"í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î", "đ": "ñ"}


def _vni_table() -> dict[str, str]:
    """Unicode letter -> its VNI bytes (as Latin-1 text), lower and upper case."""
    table: dict[str, str] = {}
    for base, (code, row) in VNI_BASES.items():
        if len(code) == 2:  # a circumflex or breve vowel alone: its modifier byte
            table[base] = code
        stem = code[0] if len(code) == 2 else code
        for tone, byte in zip(_TONES, VNI_TONES[row]):
            letter = unicodedata.normalize("NFC", base + tone)
            if letter not in VNI_SINGLE:
                table[letter] = stem + byte
    table.update(VNI_SINGLE)
    table.pop("ơ", None)
    table["ơ"], table["ư"] = "ô", "ö"
    upper = {k.upper(): v.upper() for k, v in table.items()}
    return {**table, **upper}


VNI_ENCODE = _vni_table()
_VNI_DECODE = {code: letter for letter, code in VNI_ENCODE.items() if len(code) > 1 or not code.isascii()}
_VNI_PATTERN = re.compile("|".join(re.escape(c) for c in sorted(_VNI_DECODE, key=len, reverse=True)))


def codec_name(name: str | None) -> str | None:
    """The geozones name of an encoding as a ``.cpg``, GDAL or a user writes it (``"ANSI 1258"`` ->
    ``"cp1258"``); None when unknown."""
    if not name:
        return None
    key = re.sub(r"[^a-z0-9]", "", name.strip().lower())
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def decode(raw: bytes, encoding: str) -> str:
    """``raw`` as Unicode NFC text; ``encoding`` is a key of :data:`ENCODINGS` (or any Python codec)."""
    encoding = codec_name(encoding) or encoding
    if encoding == "tcvn3":
        text = "".join(_TCVN3_DECODE[b] for b in raw)
    elif encoding == "vni":
        text = _VNI_PATTERN.sub(lambda m: _VNI_DECODE[m.group(0)], raw.decode("latin-1"))
    else:
        text = raw.decode(encoding)
    return unicodedata.normalize("NFC", text)


def encode(text: str, encoding: str) -> bytes:
    """``text`` in a legacy encoding (tests write real TCVN3, VNI and Windows-1258 files with it)."""
    encoding = codec_name(encoding) or encoding
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        table = {c: bytes([b]) for b, c in enumerate(_TCVN3_DECODE) if b >= 0x80 or b in TCVN3_LOW}
        out = []
        for char in text:
            if char in table:
                out.append(table[char])
            else:  # a toned capital the table lacks: its base, then the combining tone byte
                decomposed = unicodedata.normalize("NFD", char)
                base = unicodedata.normalize("NFC", decomposed[:-1]) if len(decomposed) > 1 else char
                tone = decomposed[-1] if len(decomposed) > 1 else ""
                out.append((table.get(base) or base.encode("ascii")) + (table[tone] if tone else b""))
        return b"".join(out)
    if encoding == "vni":
        return "".join(VNI_ENCODE.get(c, c) for c in text).encode("latin-1")
    if encoding == "cp1258":
        out = []
        for char in text:
            try:
                out.append(char.encode("cp1258"))
            except UnicodeEncodeError:
                decomposed = unicodedata.normalize("NFD", char)
                tones = "".join(c for c in decomposed if c in _TONES)
                base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
                out.append(base.encode("cp1258") + tones.encode("cp1258"))
        return b"".join(out)
    return text.encode(encoding)


# --- is it Vietnamese? ----------------------------------------------------------------------

_ONSET = "(?:ngh|ng|gh|gi|kh|ph|th|tr|ch|nh|qu|[bcdđghklmnprstvx])?"
# vowel clusters (tone marks removed) that may end a syllable or take a final consonant
_OPEN = "oă|oa|oe|oo|uâ|uê|uô|ươ|uyê|uy|iê|yê|ưa|ua|ia|a|ă|â|e|ê|i|y|o|ô|ơ|u|ư"
# clusters that end in a semivowel and take no final consonant
_CLOSED = "uyu|uya|ươu|ươi|uôi|uây|oeo|oay|oai|yêu|iêu|ưu|ưi|ui|ơi|ôi|oi|iu|êu|eo|ây|âu|ay|au|ao|ai|uơ"
_SYLLABLE = re.compile(f"^{_ONSET}(?:(?:{_OPEN})(?:ch|ng|nh|[cmnpt])?|(?:{_CLOSED}))$")
_WORD = re.compile(r"[^\W\d_]+")


def is_syllable(word: str) -> bool:
    """Whether a word (any case) is a well-formed Vietnamese syllable with at most one tone mark."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONES for c in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return bool(_SYLLABLE.match(bare))


def vietnamese_share(texts: Iterable[str]) -> tuple[float, int]:
    """Share of the words with a non-ASCII letter that are Vietnamese syllables, and how many such
    words there are (ASCII words say nothing about an encoding; no such word at all: 0)."""
    good = total = 0
    for text in texts:
        for word in _WORD.findall(text):
            if word.isascii():
                continue
            total += 1
            good += is_syllable(word)
    return (good / total if total else 0.0), total


@dataclass(frozen=True)
class Choice:
    """The encoding to read a file's text with, and what to tell the user (None: nothing to say)."""

    encoding: str
    note: str | None = None


#: Encodings tried, in this order, when a file's text is not valid UTF-8.
CANDIDATES = ("cp1258", "tcvn3", "vni")
#: The share of Vietnamese syllables a reading needs to be taken without a ``.cpg``.
MIN_SHARE = 0.8


def _reads(raw: list[bytes], encoding: str) -> list[str] | None:
    try:
        return [decode(value, encoding) for value in raw]
    except UnicodeDecodeError:
        return None


def utf8_prefix(raw: bytes) -> tuple[str, bool] | None:
    """UTF-8 text of ``raw`` read as far as valid when only its last character is cut (a dBASE field
    full at 254 bytes): (text, cut); None when ``raw`` is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(raw, final=False)
    except UnicodeDecodeError:
        return None
    left = decoder.getstate()[0]
    return unicodedata.normalize("NFC", text), bool(left)


def choose_encoding(raw: list[bytes], declared: str | None = None, forced: str | None = None) -> Choice:
    """Which encoding to read ``raw`` (every text value and field name of a file) with.

    ``forced`` (``--encoding``) wins. Otherwise UTF-8 when the bytes are UTF-8 (a value cut
    mid-character at the end counts as UTF-8); else the declared encoding (``.cpg``) when it reads
    as Vietnamese; else the candidate (Windows-1258, TCVN3, VNI) whose reading has the most
    Vietnamese syllables, with a note naming it.
    """
    if forced:
        name = codec_name(forced)
        if name is None:
            raise ValueError(f"unknown encoding {forced!r}; choose from {', '.join(ENCODINGS)}")
        return Choice(name)
    declared_name = codec_name(declared)
    if all(value.isascii() for value in raw):
        return Choice(declared_name or "utf-8")
    if all(utf8_prefix(value) is not None for value in raw):
        note = None
        if declared_name not in (None, "utf-8"):
            note = f"the .cpg says {declared!r} but the text is UTF-8; read as UTF-8"
        return Choice("utf-8", note)
    scores = {}
    for name in dict.fromkeys([*([declared_name] if declared_name else []), *CANDIDATES]):
        texts = _reads(raw, name)
        if texts is not None:
            scores[name] = vietnamese_share(texts)[0]
    if declared_name and scores.get(declared_name, 0.0) >= MIN_SHARE:
        return Choice(declared_name)
    best = max(scores, key=lambda k: scores[k]) if scores else None
    if (best is None or scores[best] < MIN_SHARE) and declared_name in scores:
        return Choice(declared_name, f"the text does not read as Vietnamese in any encoding; read as {declared!r}")
    if best is None or scores[best] < MIN_SHARE:
        tried = ", ".join(f"{ENCODINGS.get(k, k)} {v:.0%}" for k, v in scores.items())
        raise ValueError(
            "cannot tell the text encoding: no reading gives Vietnamese words "
            f"(share of valid syllables: {tried}); name it with --encoding ({', '.join(ENCODINGS)})"
        )
    if declared_name:
        share = scores.get(declared_name)
        said = "does not decode" if share is None else f"gives {share:.0%} valid Vietnamese words"
        note = (
            f"the .cpg says {declared!r}, which {said}; the text reads as {ENCODINGS[best]} "
            f"({scores[best]:.0%} valid words): read as {best} (force another with --encoding)"
        )
    else:
        note = (
            f"no .cpg: the text reads as {ENCODINGS[best]} ({scores[best]:.0%} valid Vietnamese words); "
            f"read as {best} (force another with --encoding)"
        )
    return Choice(best, note)


__all__ = [
    "CANDIDATES",
    "ENCODINGS",
    "MIN_SHARE",
    "TCVN3_HIGH",
    "VNI_ENCODE",
    "Choice",
    "choose_encoding",
    "codec_name",
    "decode",
    "encode",
    "is_syllable",
    "utf8_prefix",
    "vietnamese_share",
]
