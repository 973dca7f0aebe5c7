"""Chinese order (core.collation): places by their numbers, Chinese numerals too, names by pinyin;
keys of [0-9a-z] only, so every database collation orders them alike."""

import re

import pytest

from linli.core.collation import chinese_number, name_key, place_key


@pytest.mark.parametrize(
    ("text", "number"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105), ("两千", 2000),
     ("一〇一", 101), ("三万二千", 32000)],
)  # fmt: skip
def test_chinese_numerals_read_as_numbers(text, number):
    assert chinese_number(text) == number


def test_places_sort_by_their_numbers_not_by_code_point():
    grids = ["第十网格", "第二网格", "第一网格", "第三网格", "第十一网格", "第九网格"]
    assert sorted(grids, key=place_key) == ["第一网格", "第二网格", "第三网格", "第九网格", "第十网格", "第十一网格"]
    assert sorted(grids) != sorted(grids, key=place_key)  # what code-point order got wrong
    buildings = ["10号楼", "2号楼", "1号楼", "11号楼", "9号楼"]
    assert sorted(buildings, key=place_key) == ["1号楼", "2号楼", "9号楼", "10号楼", "11号楼"]
    assert sorted(["1001", "101", "201", "99"], key=place_key) == ["99", "101", "201", "1001"]


def test_arabic_and_chinese_numerals_are_the_same_number_and_numbers_come_first():
    assert place_key("二号楼") == place_key("2号楼")
    assert place_key("2号楼") < place_key("A栋") < place_key("阿里小区")
    assert place_key("3 号楼") == place_key("3号楼")  # white space does not count


def test_a_lone_hundred_or_ten_thousand_is_a_word_not_a_number():
    # 万家 (wan) and 千禧 (qian) sort by pinyin, not as 10000 and 1000
    assert sorted(["万家小区", "千禧小区", "百花小区", "安居小区"], key=place_key) == [
        "安居小区",
        "百花小区",
        "千禧小区",
        "万家小区",
    ]


def test_names_sort_by_pinyin_with_surnames_read_as_surnames():
    names = ["张伟", "李娜", "王芳", "阿强", "赵敏", "曾凡", "欧阳修", "单田芳"]
    assert sorted(names, key=name_key) == ["阿强", "李娜", "欧阳修", "单田芳", "王芳", "曾凡", "张伟", "赵敏"]
    assert name_key("王一") > name_key("王")  # 一 in a name is yi, not the number 1
    assert name_key("王一").startswith(name_key("王"))


def test_a_shorter_syllable_sorts_before_a_longer_one():
    assert name_key("西安") < name_key("先")  # xi·an before xian


def test_keys_are_digits_and_lower_case_letters_only_and_bounded():
    for key in (place_key("第十二网格 A座-3号楼（东）"), name_key("欧阳·娜娜 Anna"), place_key("楼" * 200)):
        assert re.fullmatch(r"[0-9a-z]*", key) and len(key) <= 255
