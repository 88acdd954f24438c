"""Office files without preparation (issue 24 item 5): Vietnamese field names and status labels, --set,
province and district from the geometry, upper-case ids, MapInfo TAB/MIF in and out."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pyogrio
from typer.testing import CliRunner

from geozones.cli import app
from geozones.io import read_layer
from geozones.store import GeoPackageStore
from tests.helpers.dbf import reencode_dbf
from tests.helpers.zonefactory import CHI_LANG, square

SOURCES = "Sở Kế hoạch và Đầu tư Lạng Sơn, danh mục 2024 (thử)"


def _run(store, *args, env=None):
    return CliRunner().invoke(app, ["--store", str(store.path), *args], env=env)


def _office_frame() -> gpd.GeoDataFrame:
    """As a Lạng Sơn office keeps it: its own column names, a Vietnamese status, no province or district."""
    return gpd.GeoDataFrame(
        {
            "MA_KCN": ["LS-CCN-THU-1", "LS-CCN-THU-2"],
            "TEN_KCN": ["Cụm công nghiệp Thử Một", "Cụm công nghiệp Thử Hai"],
            "DIEN_TICH": [25.0, 9.0],
            "CHU_DT": ["Công ty Cổ phần Thử", None],
            "TRANG_THAI": ["Đang hoạt động", "Quy hoạch"],
            "NGAY_QD": [dt.date(2021, 3, 15), None],
        },
        geometry=[square(CHI_LANG, 500.0, dx=-4000.0), square(CHI_LANG, 300.0, dx=-4000.0, dy=-1500.0)],
        crs=9215,
    )


def test_an_office_shapefile_in_tcvn3_reads_without_a_field_map(tmp_path, store):
    path = tmp_path / "kcn_langson.shp"
    pyogrio.write_dataframe(_office_frame(), path, encoding="UTF-8")
    reencode_dbf(path, "tcvn3", None)  # as the office's ABC-font software wrote it
    args = ["--set", "kind=CCN", "--set", f"sources={SOURCES}", "--set", "geometry_quality=surveyed"]
    result = _run(store, "validate", str(path), *args)
    assert result.exit_code == 0, result.output
    assert "TEN_KCN → name" in result.output and "TRANG_THAI → status" in result.output
    assert "province_pre2025 of 2 zone(s) taken from the geometry" in result.output
    assert "ids in lower case" in result.output and "TCVN3" in result.output
    result = _run(store, "store", "import", str(path), *args)
    assert result.exit_code == 0, result.output
    zones = GeoPackageStore(store.path).zones().set_index("id")
    one, two = zones.loc["ls-ccn-thu-1"], zones.loc["ls-ccn-thu-2"]
    assert one["name"] == "Cụm công nghiệp Thử Một" and one["name_ascii"] == "Cum cong nghiep Thu Mot"
    assert one["province_pre2025"] == "Lạng Sơn" and one["district_pre2025"] == "Chi Lăng"
    assert one["province"] == "Lạng Sơn" and one["status"] == "operating" and two["status"] == "planned"
    assert one["investor"] == "Công ty Cổ phần Thử" and one["area_published_ha"] == 25.0
    assert str(one["decision_date"])[:10] == "2021-03-15" and one["sources"] == SOURCES and one["kind"] == "CCN"
    # without --set the missing kind is named, not guessed
    result = _run(store, "validate", str(path))
    assert result.exit_code == 2 and "kind is required" in result.output


def test_the_alias_table_is_extended_by_a_config_file(tmp_path, store):
    config = tmp_path / "aliases.toml"
    config.write_text('[fields]\nTEN_DU_AN = "name"\n\n[status]\n"Đang vận hành thử" = "operating"\n', encoding="utf-8")
    frame = _office_frame().rename(columns={"TEN_KCN": "TEN_DU_AN"})
    frame["TRANG_THAI"] = ["Đang vận hành thử", "Quy hoạch"]
    path = tmp_path / "du_an.gpkg"
    frame.to_file(path)
    args = ["validate", str(path), "--set", "kind=CCN", "--set", "sources=thử", "--set", "geometry_quality=surveyed"]
    assert _run(store, *args).exit_code == 2  # TEN_DU_AN unknown without the config
    result = _run(store, *args, env={"GEOZONES_ALIASES": str(config)})
    assert result.exit_code == 0, result.output
    assert "TEN_DU_AN → name" in result.output


def test_mapinfo_tab_and_mif_in_and_out(tmp_path, store):
    tab = tmp_path / "kcn.tab"
    pyogrio.write_dataframe(_office_frame(), tab, driver="MapInfo File", layer_options={"ENCODING": "UTF-8"})
    args = ["--set", "kind=CCN", "--set", f"sources={SOURCES}", "--set", "geometry_quality=surveyed"]
    result = _run(store, "store", "import", str(tab), *args)
    assert result.exit_code == 0, result.output
    assert GeoPackageStore(store.path).get_zone("ls-ccn-thu-1").properties["district_pre2025"] == "Chi Lăng"
    # a MapInfo Pro file in Windows-1258 ("WindowsVietnamese", which GDAL cannot decode), written by hand
    mif = tmp_path / "vn.mif"
    mif.write_text(
        'Version 300\nCharset "WindowsVietnamese"\nDelimiter ","\nCoordSys Earth Projection 1, 104\n'
        "Columns 2\n  MA_KCN Char(20)\n  TEN_KCN Char(60)\nData\n\nPoint 106.5 21.5\n",
        encoding="ascii",
    )
    mif.with_suffix(".mid").write_bytes(b'"ls-kcn-1","La\xf2ng S\xf5n Quy hoa\xf2ch"\r\n')
    frame = read_layer(mif)
    assert frame["TEN_KCN"].iloc[0] == "Lạng Sơn Quy hoạch" and list(frame.columns)[:2] == ["MA_KCN", "TEN_KCN"]
    # out: the store's zones as TAB and MIF in VN-2000 / TM-3 107-15, read back with names and CRS
    for suffix in (".tab", ".mif"):
        out = tmp_path / f"export{suffix}"
        result = _run(store, "export", str(out), "--crs", "EPSG:9215")
        assert result.exit_code == 0, result.output
        back = read_layer(out)
        assert back.crs.to_epsg() == 9215
        assert set(back["name"]) == set(GeoPackageStore(store.path).zones()["name"])
        result = _run(store, "validate", str(out))
        assert result.exit_code == 0, result.output
