"""The shipped reference data (loaded by `migrate`) and the load_reference command."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.models import Region, Sector
from portal.reference import (
    REGIONS_CSV,
    SECTORS_CSV,
    load_regions,
    load_sectors,
    read_csv,
)

pytestmark = pytest.mark.django_db

PROVINCE_CODES = [
    "110000", "120000", "130000", "140000", "150000",  # Beijing, Tianjin, Hebei, Shanxi, Inner Mongolia
    "210000", "220000", "230000",  # Liaoning, Jilin, Heilongjiang
    "310000", "320000", "330000", "340000", "350000", "360000", "370000",  # Shanghai … Shandong
    "410000", "420000", "430000", "440000", "450000", "460000",  # Henan … Hainan
    "500000", "510000", "520000", "530000", "540000",  # Chongqing … Xizang
    "610000", "620000", "630000", "640000", "650000",  # Shaanxi … Xinjiang
    "710000", "810000", "820000",  # Taiwan, Hong Kong, Macao
]
PREFECTURE_COUNTS = {"440000": 21, "320000": 13, "330000": 11}
DIVISION_RANGES = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}
REGION_HEADER = "code,name,name_en,level,parent_code\n"


def snapshot() -> tuple[list, list]:
    return (
        list(Region.objects.values_list("code", "name", "name_en", "level", "parent_id")),
        list(Sector.objects.values_list("code", "name", "name_en", "parent_id")),
    )


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_all_34_provinces_present_and_unique():
    assert len(PROVINCE_CODES) == len(set(PROVINCE_CODES)) == 34
    provinces = Region.objects.filter(level=Region.Level.PROVINCE)
    assert sorted(provinces.values_list("code", flat=True)) == sorted(PROVINCE_CODES)
    assert all(p.parent_id is None and p.name and p.name_en for p in provinces)
    assert Region.objects.get(code="440000").name == "广东省"
    assert Region.objects.get(code="150000").name == "内蒙古自治区"
    assert Region.objects.get(code="810000").name == "香港特别行政区"


def test_prefectures_belong_to_the_province_sharing_their_first_two_digits():
    prefectures = Region.objects.filter(level=Region.Level.PREFECTURE).select_related("parent")
    assert prefectures.exists()
    for city in prefectures:
        assert city.parent.level == Region.Level.PROVINCE
        assert city.parent.code == city.code[:2] + "0000", city
    for province, count in PREFECTURE_COUNTS.items():
        assert prefectures.filter(parent__code=province).count() == count
    demo = {"440100": "广州市", "440300": "深圳市", "440400": "珠海市", "440500": "汕头市", "440600": "佛山市",
            "440700": "江门市", "440800": "湛江市", "441200": "肇庆市", "441300": "惠州市", "441900": "东莞市",
            "442000": "中山市", "445300": "云浮市", "320500": "苏州市", "330100": "杭州市"}
    assert dict(Region.objects.filter(code__in=demo).values_list("code", "name")) == demo


def test_sections_and_divisions_of_gbt_4754_2017():
    sections = Sector.objects.filter(code__regex=r"^[A-T]$")
    assert sorted(sections.values_list("code", flat=True)) == list("ABCDEFGHIJKLMNOPQRST")
    divisions = Sector.objects.filter(code__regex=r"^[A-T][0-9]{2}$").select_related("parent")
    expected = {f"{letter}{n:02d}" for letter, (lo, hi) in DIVISION_RANGES.items() for n in range(lo, hi + 1)}
    assert len(expected) == 97
    assert set(divisions.values_list("code", flat=True)) == expected
    for division in divisions:
        assert division.parent.code == division.code[0] and division.parent.is_section
        assert division.name and division.name_en
    assert all(s.parent_id is None and s.name and s.name_en for s in sections)
    c39 = Sector.objects.get(code="C39")
    assert c39.name == "计算机、通信和其他电子设备制造业"
    assert c39.name_en == "Manufacture of computers, communication and other electronic equipment"


def test_loading_the_shipped_files_again_changes_nothing(capsys):
    before = snapshot()
    assert load_regions(read_csv(REGIONS_CSV)).unchanged == Region.objects.count()
    assert load_sectors(read_csv(SECTORS_CSV)).unchanged == Sector.objects.count()
    call_command("load_reference")
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 79 unchanged" in out and "0 created, 0 updated, 117 unchanged" in out
    assert snapshot() == before


def test_command_updates_a_changed_name_and_adds_a_county(tmp_path, capsys):
    path = write(
        tmp_path,
        "\ufeff" + REGION_HEADER  # Excel writes a BOM
        + "440106,天河区,Tianhe,county,440100\n"  # parent already in the database
        + "440100,广州市,Guangzhou City,prefecture,440000\n"
        + "440000,广东省,Guangdong,province,\n",
    )
    call_command("load_reference", "--regions", str(path))
    assert "1 created, 1 updated, 1 unchanged" in capsys.readouterr().out
    county = Region.objects.get(code="440106")
    assert (county.name, county.level, county.parent.code) == ("天河区", "county", "440100")
    assert Region.objects.get(code="440100").name_en == "Guangzhou City"


def test_new_parent_later_in_the_file_is_created_first(tmp_path):
    path = write(tmp_path, REGION_HEADER + "451002,右江区,Youjiang,county,451000\n451000,百色市,Baise,prefecture,450000\n")
    result = load_regions(read_csv(path))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert Region.objects.get(code="451002").parent.code == "451000"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("44010X,坏代码,Bad,county,440100", "44010X"),
        ("440106,天河区,Tianhe,county,449900", "449900"),
        ("440000,广东省,Guangdong,province,110000", "province has no parent"),
        ("440106,天河区again,Tianhe,county,440100", "already on line 2"),
        ("440107,某区,Somewhere,county,", "needs a parent"),
        ("440108,某区,Somewhere,district,440100", "district"),
        ("440109,某区,Somewhere,county,320100", "another province"),
        ("440110,某区,Somewhere,prefecture,440000", "does not fit level"),
        ("440111,某区,Somewhere,county,440106", "cannot contain"),
        ("440112,,Nameless,county,440100", "name is missing"),
    ],
)
def test_command_refuses_a_file_with_one_bad_row_and_changes_nothing(tmp_path, bad_row, message):
    path = write(
        tmp_path,
        f"{REGION_HEADER}440106,天河区,Tianhe,county,440100\n{bad_row}\n440100,广州市改名,Renamed,prefecture,440000\n",
    )
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference", "--regions", str(path))
    error = str(excinfo.value)
    assert "Line 3:" in error and message in error
    assert "Line 2:" not in error and "Line 4:" not in error
    assert snapshot() == before


def test_every_bad_row_is_reported_and_both_files_are_refused_together(tmp_path):
    regions = write(tmp_path, REGION_HEADER + "440106,天河区,Tianhe,county,440100\n", "regions.csv")
    sectors = write(
        tmp_path,
        "code,name,name_en,parent_code\nC39,改名,Renamed,C\nC3X,坏,Bad,C\nC40,仪器,Instruments,D\nU,未知,Unknown,\n"
        "C39,重复,Duplicate,C\nC,制造业,Manufacturing,X\n",
        "sectors.csv",
    )
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference", "--regions", str(regions), "--sectors", str(sectors))
    error = str(excinfo.value)
    for line in (3, 4, 5, 6, 7):
        assert f"Line {line}:" in error
    assert "Line 2:" not in error and "the parent of C40 is C" in error
    assert snapshot() == before  # the valid regions file was not loaded either


def test_unreadable_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("load_reference", "--sectors", str(tmp_path / "missing.csv"))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("code,name,name_en,parent_code\nC39,Caf\u00e9,x,C\n".encode("latin-1"))
    with pytest.raises(CommandError):
        call_command("load_reference", "--sectors", str(latin1))
