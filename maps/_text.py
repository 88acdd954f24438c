"""Map wording in Vietnamese and English (status and kind labels come from geozones.schema)."""

from __future__ import annotations

from geozones.errors import InvalidParameterError
from geozones.schema import KINDS, STATUSES

LANGS = ("vi", "en")

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "kind": "Loại",
        "status": "Tình trạng",
        "place": "Địa bàn",
        "area_published": "Diện tích công bố",
        "area_mapped": "Diện tích trên bản đồ",
        "not_published": "chưa công bố",
        "phases": "Các giai đoạn",
        "investor": "Chủ đầu tư / đơn vị phát triển",
        "occupancy": "Tỷ lệ lấp đầy",
        "available": "Diện tích còn trống",
        "dist_highway": "Đến quốc lộ",
        "dist_substation": "Đến trạm biến áp",
        "dist_border_gate": "Đến cửa khẩu",
        "decision": "Quyết định",
        "sources": "Nguồn",
        "location_only": "Chỉ có vị trí, chưa công bố diện tích/ranh giới",
        "approximate": "Ranh giới gần đúng (vẽ theo diện tích công bố)",
        "change": "Thay đổi theo kịch bản",
        "baseline_area": "Diện tích hiện trạng",
        "change_ha": "Chênh lệch",
        "new_land": "Đất mới",
        "baseline_status": "Tình trạng hiện trạng",
        "search": "Tìm khu/cụm công nghiệp…",
        "legend_status": "Tình trạng",
        "legend_kind": "Loại (viền)",
        "location_marker": "Chỉ có vị trí",
        "title_investor": "Khu, cụm công nghiệp — Bắc Kạn (nay Thái Nguyên) và Lạng Sơn",
        "title_scenario": "Kịch bản quy hoạch",
        "provinces": "Ranh giới tỉnh",
        "districts": "Ranh giới huyện (trước 2025)",
        "roads": "Đường giao thông",
        "grid": "Lưới điện",
        "destinations": "Điểm đến (cửa khẩu, đô thị)",
        "zones": "Khu, cụm công nghiệp",
        "plain": "Nền trơn (không cần Internet)",
        "osm": "OpenStreetMap (cần Internet)",
        "baseline": "Hiện trạng",
        "scenario": "Kịch bản",
        "new_land_layer": "Đất mới (gạch chéo)",
        "removed": "Bị loại khỏi kịch bản",
        "suitability": "Mức độ thích hợp",
        "exclusion": "Vùng loại trừ",
        "top_share": "Tỷ lệ lần mô phỏng ô đất thuộc nhóm thích hợp nhất",
        "uncertainty": "Độ lệch chuẩn của mức độ thích hợp qua các lần mô phỏng trọng số",
        "ranks": "Độ ổn định thứ hạng của các địa điểm",
        "candidates": "Địa điểm đề xuất (xếp hạng AHP)",
        "ranks_note": "lần mô phỏng trọng số Dirichlet; tỷ lệ nằm trong nhóm",
        "ranks_columns": ("địa điểm", "điểm AHP", "hạng", "hạng trung vị", "trong nhóm đầu"),
        "odds": "Xác suất đạt mục tiêu theo năm",
        "odds_note": "lần mô phỏng Monte Carlo, hạt giống",
        "source": "Nguồn dữ liệu",
        "approximate_print": "Ranh giới là gần đúng ở các khu có geometry_quality = approximate",
        "crs_drawn": "Hệ tọa độ bản đồ",
        "crs_measured": "diện tích và khoảng cách tính theo VN-2000 TM-3 của từng tỉnh (EPSG:9213 Thái Nguyên/Bắc Kạn cũ, EPSG:9215 Lạng Sơn)",
        "low": "thấp",
        "high": "cao",
        "railways": "Đường sắt",
        "border_gates": "Cửa khẩu",
        "hydropower": "Thủy điện",
        "protected_areas": "Khu bảo tồn (điểm tham chiếu, không phải ranh giới)",
        "no_data": "không có dữ liệu",
        "travel": "Khoảng cách đi đường (tốc độ giả định)",
        "by_road": "theo đường bộ",
        "straight": "đường chim bay",
        "nearest_station": "Ga đường sắt gần nhất",
        "hanoi_note": "ngoài mạng đường đã có",
        "unreachable": "không nối được trên lớp đường",
        "attribution": "Dữ liệu",
    },
    "en": {
        "kind": "Kind",
        "status": "Status",
        "place": "Location",
        "area_published": "Published area",
        "area_mapped": "Mapped area",
        "not_published": "not published",
        "phases": "Phases",
        "investor": "Investor / developer",
        "occupancy": "Occupancy",
        "available": "Available land",
        "dist_highway": "To highway",
        "dist_substation": "To substation",
        "dist_border_gate": "To border gate",
        "decision": "Decision",
        "sources": "Sources",
        "location_only": "Location only, area and boundary not published",
        "approximate": "Approximate geometry (drawn to match the published area)",
        "change": "Scenario change",
        "baseline_area": "Baseline area",
        "change_ha": "Change",
        "new_land": "New land",
        "baseline_status": "Baseline status",
        "search": "Search zones…",
        "legend_status": "Status",
        "legend_kind": "Kind (outline)",
        "location_marker": "Location only",
        "title_investor": "Industrial zones — Bắc Kạn (now Thái Nguyên) and Lạng Sơn",
        "title_scenario": "Planning scenario",
        "provinces": "Province boundaries",
        "districts": "District boundaries (pre-2025)",
        "roads": "Roads",
        "grid": "Power grid",
        "destinations": "Destinations (border gates, towns)",
        "zones": "Industrial zones",
        "plain": "Plain background (offline)",
        "osm": "OpenStreetMap (needs internet)",
        "baseline": "Baseline",
        "scenario": "Scenario",
        "new_land_layer": "New land (hatched)",
        "removed": "Removed in scenario",
        "suitability": "Suitability",
        "exclusion": "Exclusion",
        "top_share": "Share of weight draws with the cell in the most suitable set",
        "uncertainty": "Standard deviation of the suitability over the weight draws",
        "ranks": "Rank stability of the candidate sites",
        "candidates": "Candidate sites (AHP rank)",
        "ranks_note": "Dirichlet weight draws; share in the top",
        "ranks_columns": ("site", "AHP score", "rank", "median rank", "in top k"),
        "odds": "Probability of meeting each target, by year",
        "odds_note": "Monte Carlo draws, seed",
        "source": "Data sources",
        "approximate_print": "Boundaries are approximate where geometry_quality = approximate",
        "crs_drawn": "Map CRS",
        "crs_measured": "areas and distances in each province's VN-2000 TM-3 (EPSG:9213 Thái Nguyên/former Bắc Kạn, EPSG:9215 Lạng Sơn)",
        "low": "low",
        "high": "high",
        "railways": "Railways",
        "border_gates": "Border gates",
        "hydropower": "Hydropower plants",
        "protected_areas": "Protected areas (reference points, not boundaries)",
        "no_data": "no data",
        "travel": "By road (assumed speeds)",
        "by_road": "by road",
        "straight": "straight line",
        "nearest_station": "Nearest railway station",
        "hanoi_note": "outside the shipped road network",
        "unreachable": "not connected on the road layer",
        "attribution": "Data",
    },
}

QUALIFIERS = {
    "vi": {"about": "khoảng", "over": "trên", "exact": ""},
    "en": {"about": "about", "over": "over", "exact": ""},
}
CHANGES = {
    "vi": {"new": "Khu mới", "changed": "Thay đổi", "unchanged": "Không đổi", "removed": "Bị loại"},
    "en": {"new": "New zone", "changed": "Changed", "unchanged": "Unchanged", "removed": "Removed"},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``vi`` or ``en``; ``ValueError`` otherwise."""
    if lang not in LANGS:
        raise InvalidParameterError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def labels(lang: str) -> dict[str, str]:
    return LABELS[check_lang(lang)]


def js_config(lang: str) -> dict:
    """Everything the browser-side popup and style functions need, in one JSON-able dict."""
    from geozones.io.style import KIND_OUTLINES, STATUS_COLORS

    check_lang(lang)
    return {
        "lang": lang,
        "labels": LABELS[lang],
        "statuses": {k: v[lang] for k, v in STATUSES.items()},
        "kinds": {k: v[lang] for k, v in KINDS.items()},
        "qualifiers": QUALIFIERS[lang],
        "changes": CHANGES[lang],
        "status_colors": dict(STATUS_COLORS),
        # Leaflet weight in CSS pixels from the width in mm (96 px per inch), at least 1.5 px.
        "kind_outlines": {
            k: [c, max(1.5, round(w * 96 / 25.4, 1)), dash] for k, (c, w, _, dash) in KIND_OUTLINES.items()
        },
    }
