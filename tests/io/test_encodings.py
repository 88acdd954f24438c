"""Survey shapefiles in the encodings Vietnamese offices use: TCVN3 (ABC), VNI Windows and Windows-1258.

The code tables are pinned against independent values: glibc's TCVN5712-1 charmap and iconv,
Python's cp1258 codec, and hand-encoded bytes ("Lạng Sơn" in TCVN3 shows as "L¹ng S¬n" in a
Latin-1 reading, as the issue reported). Real files are written with a .dbf in each encoding, with
and without a .cpg, and read through `geozones validate` / `store import`.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import unicodedata
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from geozones.cli import app
from geozones.io import encodings as enc
from geozones.io import read_layer, to_file, zones_from_file
from geozones.io.shapefile import TextEncodingWarning, TruncatedTextWarning
from geozones.store import GeoPackageStore
from tests.helpers.dbf import cut_dbf_text, reencode_dbf
from tests.helpers.zonefactory import CHI_LANG, square, zone

NAMES = ["Lạng Sơn", "Khu công nghiệp Đồng Bành", "Quy hoạch", "Đang hoạt động", "Hữu Lũng", "Chi Lăng", "ĐỒNG BÀNH"]

# hand-encoded from the published tables
KNOWN = {
    ("tcvn3", "Lạng Sơn"): b"L\xb9ng S\xacn",  # shown as 'L¹ng S¬n' when read as Latin-1
    ("tcvn3", "Đang hoạt động"): b"\xa7ang ho\xb9t \xae\xe9ng",
    ("vni", "Lạng Sơn"): b"La\xefng S\xf4n",  # a + ï (dot below), ô = ơ
    ("vni", "Đang hoạt động"): b"\xd1ang hoa\xeft \xf1o\xe4ng",  # Ñ = Đ, ñ = đ, oä = ộ
    ("vni", "Hữu Lũng"): b"H\xf6\xf5u Lu\xf5ng",
    ("cp1258", "Lạng Sơn"): b"La\xf2ng S\xf5n",  # a + combining dot below (0xF2), ơ = 0xF5
}


@pytest.mark.parametrize(("encoding", "text"), list(KNOWN))
def test_known_bytes_decode_and_encode(encoding, text):
    assert enc.decode(KNOWN[encoding, text], encoding) == text
    assert enc.encode(text, encoding) == KNOWN[encoding, text]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258"])
def test_every_vietnamese_letter_round_trips(encoding):
    letters = "".join(
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for tone in ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
    )
    text = letters + "đĐ"
    assert enc.decode(enc.encode(text, encoding), encoding) == text
    # Python's own cp1258 codec agrees with the Windows-1258 reading
    if encoding == "cp1258":
        assert unicodedata.normalize("NFC", enc.encode(text, encoding).decode("cp1258")) == text


def test_tcvn3_table_is_glibcs_tcvn5712_charmap():
    charmap = Path("/usr/share/i18n/charmaps/TCVN5712-1.gz")
    if not charmap.exists():
        pytest.skip("glibc's charmaps (package locales) are not installed")
    table = {}
    for line in gzip.open(charmap, "rt", encoding="latin-1"):
        found = re.match(r"<U([0-9A-F]{4})>\s+/x([0-9a-f]{2})\s", line)
        if found:
            table[int(found.group(2), 16)] = chr(int(found.group(1), 16))
    for byte in range(0x80, 0x100):
        assert enc.TCVN3_HIGH[byte - 0x80] == table[byte], hex(byte)


def test_tcvn3_agrees_with_iconv():
    if shutil.which("iconv") is None:
        pytest.skip("no iconv")
    for text in NAMES:
        made = subprocess.run(["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=text.encode(), capture_output=True)
        assert made.returncode == 0
        assert enc.decode(made.stdout, "tcvn3") == text


def test_syllables():
    assert all(enc.is_syllable(w) for name in NAMES for w in name.split())
    assert not any(enc.is_syllable(w) for w in ("L¹ng", "S¬n", "Laïng", "hoaòch", "Laùng", "Söï"))


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258"])
def test_detected_without_a_cpg(encoding):
    raw = [enc.encode(text, encoding) for text in NAMES]
    choice = enc.choose_encoding(raw)
    assert choice.encoding == encoding and choice.note and "no .cpg" in choice.note
    assert enc.ENCODINGS[encoding] in choice.note
    # a wrong .cpg is overruled, and the note says so
    wrong = enc.choose_encoding(raw, declared="1252")
    assert wrong.encoding == encoding and "the .cpg says '1252'" in wrong.note
    # a forced encoding wins
    assert enc.choose_encoding(raw, forced="latin-1").encoding == "latin-1"


def test_utf8_is_taken_and_unknown_text_asks_for_encoding():
    assert enc.choose_encoding([t.encode() for t in NAMES]) == enc.Choice("utf-8")
    with pytest.raises(ValueError, match="--encoding"):
        enc.choose_encoding([bytes(range(0x80, 0xA0)) * 2])
    with pytest.raises(ValueError, match="unknown encoding"):
        enc.choose_encoding([b"x"], forced="klingon")


# --- real files -----------------------------------------------------------------------------------


def _lang_son_zone(**overrides) -> gpd.GeoDataFrame:
    fields = {
        "id": "ls-ccn-thu",
        "name": "Cụm công nghiệp Đồng Bành Thử",
        "name_ascii": "Cum cong nghiep Dong Banh Thu",
        "zone_group": "Đồng Bành Thử",
        "province_pre2025": "Lạng Sơn",
        "province": "Lạng Sơn",
        "district_pre2025": "Chi Lăng",
        "status": "planned",
        "sources": "Sở Kế hoạch và Đầu tư Lạng Sơn (thử)",
        "area_published_ha": 25.0,
    }
    record = zone(0, **(fields | overrides))
    return gpd.GeoDataFrame([record], geometry=[square(CHI_LANG, 500.0, dx=-4000.0)], crs=9215)


def _survey_file(tmp_path: Path, encoding: str, cpg: str | None, **overrides) -> Path:
    path = to_file(_lang_son_zone(**overrides), tmp_path / f"survey_{encoding}.shp")
    return reencode_dbf(path, encoding, cpg)


def _run(store, *args):
    return CliRunner().invoke(app, ["--store", str(store.path), *args])


@pytest.mark.parametrize(
    ("encoding", "cpg"),
    [("tcvn3", None), ("vni", None), ("cp1258", None), ("cp1258", "1258"), ("cp1258", "ANSI 1258"), ("vni", "VNI")],
)
def test_a_legacy_shapefile_reads_with_vietnamese_names_intact(tmp_path, encoding, cpg):
    path = _survey_file(tmp_path, encoding, cpg)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        zones = zones_from_file(path)
    row = zones.iloc[0]
    assert row["province_pre2025"] == "Lạng Sơn" and row["district_pre2025"] == "Chi Lăng"
    assert row["name"] == "Cụm công nghiệp Đồng Bành Thử" and row["id"] == "ls-ccn-thu"
    assert row["sources"] == "Sở Kế hoạch và Đầu tư Lạng Sơn (thử)"
    assert unicodedata.is_normalized("NFC", row["name"])
    notes = [str(w.message) for w in caught if issubclass(w.category, TextEncodingWarning)]
    if cpg is None:
        assert len(notes) == 1 and enc.ENCODINGS[encoding] in notes[0] and "no .cpg" in notes[0]
    else:
        assert notes == []  # the .cpg was right: nothing to say


def test_cp1258_with_a_cpg_keeps_the_last_character(tmp_path):
    # GDAL (iconv) drops the last character of every Windows-1258 value and field name: MA_KC, "Quy hoạc"
    path = _survey_file(tmp_path, "cp1258", "1258")
    frame = read_layer(path)
    assert frame["name"].iloc[0].endswith("Thử") and frame["district_pre2025"].iloc[0] == "Chi Lăng"
    assert "zone_group" in frame.columns and frame["zone_group"].iloc[0] == "Đồng Bành Thử"


def test_encoding_can_be_forced(tmp_path):
    path = _survey_file(tmp_path, "tcvn3", None)
    frame = read_layer(path, encoding="latin-1", check=False)
    assert frame["province_pre2025"].iloc[0] == "L¹ng S¬n"  # what a Latin-1 reading shows
    assert read_layer(path, encoding="tcvn3")["province_pre2025"].iloc[0] == "Lạng Sơn"


def test_validate_and_import_a_tcvn3_file_and_catch_its_wrong_district(tmp_path, store):
    good = _survey_file(tmp_path, "tcvn3", None)
    result = _run(store, "validate", str(good))
    assert result.exit_code == 0, result.output
    assert "TCVN3" in result.output and "✓" in result.output
    # the same zone saying Hữu Lũng: the district check runs on the decoded name and fails
    (tmp_path / "wrong").mkdir()
    wrong = _survey_file(tmp_path / "wrong", "tcvn3", None, district_pre2025="Hữu Lũng")
    result = _run(store, "validate", str(wrong))
    assert result.exit_code == 2, result.output
    assert "outside the district it names (Hữu Lũng)" in result.output and "in Chi Lăng" in result.output
    result = _run(store, "store", "import", str(good))
    assert result.exit_code == 0, result.output
    stored = GeoPackageStore(store.path).zones().set_index("id").loc["ls-ccn-thu"]
    assert stored["province_pre2025"] == "Lạng Sơn" and stored["name"] == "Cụm công nghiệp Đồng Bành Thử"
    # --encoding forces a reading (a Latin-1 one gives names no boundary has)
    result = _run(store, "validate", str(good), "--encoding", "latin-1")
    assert result.exit_code == 2 and "'L¹ng S¬n' has no boundary" in result.output


def test_a_dbf_text_cut_mid_character_is_read_as_far_as_valid(tmp_path):
    path = to_file(_lang_son_zone(notes="x" * 254), tmp_path / "cut.shp")  # a 254-byte field
    # another tool wrote 300 bytes of "ạ" (3 bytes each) into it: cut after 84 letters and 2 bytes
    cut_dbf_text(path, "notes", 0, "ạ" * 100)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_layer(path)
    assert frame["notes"].iloc[0] == "ạ" * 84
    truncated = [str(w.message) for w in caught if issubclass(w.category, TruncatedTextWarning)]
    assert len(truncated) == 1 and "field 'notes'" in truncated[0] and "cut mid-character" in truncated[0]
    assert not [w for w in caught if issubclass(w.category, TextEncodingWarning)]
