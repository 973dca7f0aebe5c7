"""The check on text bound for a public page, at the edges of each pattern."""

import dataclasses

import pytest

from linli.core.public_text import Finding, PersonalDataError, check, find_personal_data, highlight
from linli.core.validators import id_check_digit


def found(text, names=(), ordinary=()):
    return [(f.kind, f.text) for f in find_personal_data(text, names=names, ordinary=ordinary)]


def test_the_review_example_is_found_whole():
    assert found("顾建（1号楼101）已签字同意", names=["顾建"]) == [("name", "顾建"), ("house", "1号楼101")]


# ---- names -------------------------------------------------------------------------------------


def test_a_two_character_name_in_running_text():
    assert found("居民顾建反映楼上噪音", names=["顾建"]) == [("name", "顾建")]
    assert found("顾建国反映", names=["顾建"]) == [("name", "顾建")]  # a longer name built on it is still a person


def test_a_name_straddling_two_ordinary_words_is_not_a_name():
    assert found("感谢社区照顾建筑工人", names=["顾建"]) == []  # 照顾 + 建筑
    assert found("维修资金余额充足", names=["余额"]) == []
    assert found("创建文明小区", names=["文明"]) == []


def test_a_title_marks_a_person_even_in_an_ordinary_word():
    assert found("文明先生已签字", names=["文明"]) == [("name", "文明")]
    assert found("感谢高峰师傅", names=["高峰"]) == [("name", "高峰")]
    assert found("用水高峰时段", names=["高峰"]) == []


def test_names_of_three_characters_match_anywhere():
    assert found("王建国庆节期间值班", names=["王建国"]) == [("name", "王建国")]


def test_the_communitys_place_and_organisation_names_are_ordinary_words():
    assert found("馨和苑小区路面已修复", names=["和苑"], ordinary=["馨和苑"]) == []
    assert found("和苑反映", names=["和苑"], ordinary=["馨和苑"]) == [("name", "和苑")]


def test_single_characters_and_latin_names():
    assert found("王说", names=["王"]) == []
    assert found("Resident A1H signed", names=["resident a1h"]) == [("name", "Resident A1H")]


def test_full_width_latin_names_compare_as_ascii_without_case():
    # full-width capitals from Ａ to Ｚ and the ideographic space, as a Chinese keyboard types them
    assert found("ＺＨＡＯ　ＮＡ已签字", names=["Zhao Na"]) == [("name", "ＺＨＡＯ　ＮＡ")]
    assert found("zhao na已签字", names=["ZHAO NA"]) == [("name", "zhao na")]


def test_a_name_at_the_very_end_of_the_text():
    assert found("来电人顾建", names=["顾建"]) == [("name", "顾建")]
    assert found("来电人王建国", names=["王建国"]) == [("name", "王建国")]


def test_only_an_ordinary_word_overlapping_the_name_spares_it():
    assert found("小区居民顾建反映", names=["顾建"]) == [("name", "顾建")]  # 小区, 居民 before it: not over it
    assert found("回顾建筑历史", names=["顾建"]) == []  # 建筑 starts on the name's second character
    # a spared occurrence does not end the search: the name further on is found
    assert found("感谢社区照顾建筑工人，顾建签字", names=["顾建"]) == [("name", "顾建")]


def test_every_occurrence_of_an_ordinary_word_counts_overlapping_ones_too():
    # a place called 星星: in 星星星 it occurs at 0 and at 1, and the second covers 星光
    assert found("星星星光", names=["星光"], ordinary=["星星"]) == []


def test_two_character_place_names_count_single_characters_do_not():
    assert found("和苑路面已修复", names=["和苑"], ordinary=["和苑"]) == []
    # a grid called 东 would otherwise spare every name holding 东
    assert found("顾东反映", names=["顾东"], ordinary=["东"]) == [("name", "顾东")]


def test_the_longer_of_two_names_at_one_place_is_found():
    assert found("顾建国反映", names=["顾建", "顾建国"]) == [("name", "顾建国")]


def test_findings_side_by_side_or_apart_are_all_kept():
    assert found("1号楼101顾建签字", names=["顾建"]) == [("house", "1号楼101"), ("name", "顾建")]  # touching
    assert found("顾建1号楼101", names=["顾建"]) == [("name", "顾建"), ("house", "1号楼101")]
    assert found("1号楼101住户顾建", names=["顾建"]) == [("house", "1号楼101"), ("name", "顾建")]  # apart


# ---- houses and rooms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, house",
    [
        ("1号楼101", "1号楼101"),
        ("1号楼101室漏水", "1号楼101室"),
        ("1号楼-101", "1号楼-101"),
        ("1号楼 101", "1号楼 101"),
        ("1号楼（101）", "1号楼（101"),
        ("1号楼·1单元·302", "1号楼·1单元·302"),
        ("１号楼１０１", "１号楼１０１"),
        ("3单元502室", "3单元502室"),
        ("三单元502", "三单元502"),
        ("5-2-301", "5-2-301"),
        ("5－2－301", "5－2－301"),
        ("A栋1单元1202", "A栋1单元1202"),
        ("12幢301", "12幢301"),
        ("住在502室", "502室"),
    ],
)
def test_house_and_room_numbers(text, house):
    assert ("house", house) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "1号楼加装电梯",  # a building is a place, not a home
        "1号楼1单元加装电梯",
        "1号楼、101户已签字",  # a list: building 1, then 101 households
        "1号楼101户居民",  # 101 households
        "1号楼120平米",
        "2024-05-12召开",  # a date
        "1号楼12层",
        "第101次会议",
    ],
)
def test_not_house_numbers(text):
    assert [k for k, _t in found(text) if k == "house"] == []


# ---- phones -------------------------------------------------------------------------------------


def test_mobile_phone_is_exactly_eleven_digits():
    assert found("联系13800001234") == [("phone", "13800001234")]
    assert found("编号1380000123") == []  # 10 digits
    assert found("编号138000012345") == []  # 12 digits
    assert found("手机 138 0000 1234") == [("phone", "138 0000 1234")]
    assert found("138-0000-1234") == [("phone", "138-0000-1234")]
    assert found("+86 13800001234") == [("phone", "+86 13800001234")]
    assert found("12800001234") == []  # no mobile starts 12
    assert found("138****1234") == [("phone", "138****1234")]  # a masked phone is still someone's


def test_landlines():
    assert found("0951-5012345") == [("phone", "0951-5012345")]
    assert found("010-62345678") == [("phone", "010-62345678")]
    assert found("(0951)5012345") == [("phone", "(0951)5012345")]
    assert found("座机：5012345") == [("phone", "5012345")]
    assert [(f.start, f.end) for f in find_personal_data("座机：5012345")] == [(3, 10)]  # the number, not the word
    assert found("拨打12345热线") == []
    assert found("共5012345元") == []  # seven digits without a phone word are an amount


# ---- ID numbers ---------------------------------------------------------------------------------


def _id(first17):
    return first17 + id_check_digit(first17)


def _id_with_x():
    return next(i for i in (_id(f"64010419800101{n:03d}") for n in range(1000)) if i.endswith("X"))


def test_id_numbers_18_and_15_digits_with_x():
    x = _id_with_x()
    assert found(f"身份证{x}") == [("id_number", x)]
    assert found(f"身份证{x.lower()}") == [("id_number", x.lower())]
    assert found(f"编号{x[:17]}Y") == []  # only X stands for ten
    assert found(f"编号{x[:17]}") == []  # 17 digits
    assert found(f"编号{_id('64010419800101123')}9") == []  # 19 characters
    assert found("老证号110105491231002") == [("id_number", "110105491231002")]  # 15 digits, 1949-12-31
    assert found("编号11010549123100") == []  # 14 digits
    assert found("110105********1234") == [("id_number", "110105********1234")]  # masked


def test_an_id_with_a_wrong_check_digit_is_still_an_id_number():
    good = _id("64010419800101123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert found(bad) == [("id_number", bad)]


def test_an_impossible_birth_date_is_not_an_id_number():
    assert found("640104198013011234") == []  # month 13


# ---- marking -----------------------------------------------------------------------------------


def test_highlight_escapes_and_marks():
    text = "<b>顾建</b>（1号楼101）"
    html = str(highlight(text, find_personal_data(text, names=["顾建"])))
    assert html.startswith("&lt;b&gt;<mark")
    assert ">顾建</mark>&lt;/b&gt;" in html and ">1号楼101</mark>）" in html
    assert html.count("<mark") == 2


def test_the_refusal_names_each_finding_by_its_kind_in_chinese():
    with pytest.raises(PersonalDataError) as err:
        check({"outcome": "顾建（1号楼101）已签字", "title": "加装电梯"}, names=["顾建"])
    assert err.value.message_dict == {
        "outcome": ["公开发布的内容不能含有个人信息：姓名“顾建”、门牌号“1号楼101”。请删去或改写后再发布。"]
    }
    assert 'title="姓名">顾建</mark>' in err.value.marked["outcome"]


def test_a_finding_is_a_value():
    f = find_personal_data("顾建", names=["顾建"])[0]
    assert f == Finding("name", 0, 2, "顾建") and hash(f) == hash(Finding("name", 0, 2, "顾建"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = 1
