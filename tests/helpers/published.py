"""The shipped zones as typed in from their sources (not read back from data/ or the build).

One row per zone: id, pre-2025 province, kind, served published hectares (None: none published)
and whether it has a polygon. Bắc Kạn and Lạng Sơn's first 14 rows come from the seed articles
and facts.md; the rest from the articles cited in data/zones/sources.csv (issue 21). Tests sum
these by hand to get expected totals.
"""

from __future__ import annotations

#: (id, province_pre2025, kind, published ha or None, has a polygon)
ZONES: tuple[tuple[str, str, str, float | None, bool], ...] = (
    ("bk-kcn-thanh-binh-1", "Bắc Kạn", "KCN", 73.5, True),
    ("bk-kcn-thanh-binh-mr", "Bắc Kạn", "KCN", 51.0, True),
    ("bk-kcn-thanh-binh-2", "Bắc Kạn", "KCN", 80.3, True),
    ("bk-ccn-huyen-tung", "Bắc Kạn", "CCN", None, False),
    ("bk-ccn-quang-chu", "Bắc Kạn", "CCN", 74.4, True),
    ("bk-ccn-cam-giang", "Bắc Kạn", "CCN", 43.0, True),
    ("bk-ccn-thanh-thinh", "Bắc Kạn", "CCN", 50.0, True),
    ("bk-ccn-vang-muoi", "Bắc Kạn", "CCN", 15.0, True),
    ("bk-ccn-nam-bang-lung", "Bắc Kạn", "CCN", 20.0, True),
    ("bk-ccn-chu-huong", "Bắc Kạn", "CCN", None, False),
    ("ls-kcn-dong-banh", "Lạng Sơn", "KCN", 321.0, True),  # "over 321 ha", Báo Lạng Sơn 2019
    ("ls-kcn-hong-phong", "Lạng Sơn", "KCN", 440.0, True),  # "about 440 ha", Báo Lạng Sơn 2019
    ("ls-kcn-huu-lung", "Lạng Sơn", "KCN", 600.0, True),  # VSIP: "nearly 600 ha", Lao Động Jul 2025
    ("ls-kcx-unnamed", "Lạng Sơn", "KCX", 126.0, False),  # "over 126 ha", no location
    ("tn-kcn-song-cong-1", "Thái Nguyên", "KCN", 195.0, True),  # PIV: 195 ha since 2014
    ("tn-kcn-song-cong-2", "Thái Nguyên", "KCN", 250.0, True),  # VKI listing
    ("tn-kcn-song-cong-2-gd2", "Thái Nguyên", "KCN", 296.24, True),  # Kinh tế Môi trường 2023
    ("tn-kcn-diem-thuy-a", "Thái Nguyên", "KCN", 191.1, True),  # thitruonghanghoa.com 2021
    ("tn-kcn-diem-thuy-b", "Thái Nguyên", "KCN", 170.0, True),  # quyhoachvietnam.com
    ("tn-kcn-yen-binh", "Thái Nguyên", "KCN", 400.0, True),  # Lao Động 2025: over 400 ha
    ("tn-kcn-nam-pho-yen", "Thái Nguyên", "KCN", 263.0, True),  # thitruonghanghoa.com 2021
    ("tn-kcn-quyet-thang", "Thái Nguyên", "KCN", 200.0, True),  # quyhoachvietnam.com
    ("tn-kcn-phu-binh", "Thái Nguyên", "KCN", 675.0, True),  # CafeF 19 Dec 2025
    ("tn-kcn-yen-binh-2", "Thái Nguyên", "KCN", 300.0, True),  # VIR 1 Sep 2025: nearly 300 ha
    ("tn-kcn-yen-binh-3", "Thái Nguyên", "KCN", 290.0, True),  # Lao Động 2025: over 290 ha
    ("tn-kcn-thuong-dinh", "Thái Nguyên", "KCN", 130.0, True),  # thitruonghanghoa.com 2021
    ("tn-kcn-tay-pho-yen", "Thái Nguyên", "KCN", 868.0, True),  # Việt Nam News 2023
    ("tn-cntt-yen-binh", "Thái Nguyên", "CNTT", 200.0, True),  # VnExpress 2021: phase 1
    ("bk-kcn-cho-moi-3", "Bắc Kạn", "KCN", 300.0, True),  # Bắc Kạn KCN board, Jun 2024
    ("bk-kcn-cho-moi-4", "Bắc Kạn", "KCN", 496.0, True),
    ("bk-kcn-cho-moi-5", "Bắc Kạn", "KCN", 498.0, True),
    ("bk-kcn-bach-thong", "Bắc Kạn", "KCN", 400.0, True),
    ("ls-kktck-dong-dang-lang-son", "Lạng Sơn", "KKTCK", None, False),  # 394 km² extent, not industrial land
    ("ls-ccn-hop-thanh", "Lạng Sơn", "CCN", 81.558, True),  # vietnammoi.vn 2022
    ("ls-ccn-ho-son-1", "Lạng Sơn", "CCN", 73.76, True),  # Decision 854/QĐ-UBND 2023
    ("ls-ccn-dinh-lap", "Lạng Sơn", "CCN", 71.39, True),  # PV Machino 2023
    ("ls-ccn-dia-phuong-so-2", "Lạng Sơn", "CCN", 8.5, True),  # Lao Động Jul 2025
)
#: Province after 1 July 2025 (Resolution 202/2025/QH15: Bắc Kạn merged into Thái Nguyên).
AFTER_2025 = {"Bắc Kạn": "Thái Nguyên", "Thái Nguyên": "Thái Nguyên", "Lạng Sơn": "Lạng Sơn"}
COUNT = len(ZONES)


def hectares(
    *, province_pre2025: str | None = None, province: str | None = None, kind: str | None = None
) -> float | None:
    """Sum of the published hectares of the matching zones (None when none of them publishes one)."""
    values = [
        ha
        for _, pre, k, ha, _ in ZONES
        if (province_pre2025 is None or pre == province_pre2025)
        and (province is None or AFTER_2025[pre] == province)
        and (kind is None or k == kind)
        and ha is not None
    ]
    return round(sum(values), 6) if values else None


def count(*, province_pre2025: str | None = None, kind: str | None = None, mapped: bool | None = None) -> int:
    """Number of matching zones."""
    return sum(
        1
        for _, pre, k, _, m in ZONES
        if (province_pre2025 is None or pre == province_pre2025)
        and (kind is None or k == kind)
        and (mapped is None or m == mapped)
    )
