"""Masked values (RULES.md R8.5): first 6 + last 4 of an ID number, first 3 + last 4 of a phone,
the family name on public pages; short or odd values are starred whole rather than half shown."""

import datetime as dt

import pytest

from linli.core.masking import mask_date, mask_id_number, mask_name, mask_phone
from linli.testing import make_id


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110105198001011234", "110105********1234"),  # 18 digits: the 8 birth digits hidden
        ("11010580010112X", "110105*****112X"),  # 15 (first-generation card): 5 hidden
        ("12345678901", "123456*8901"),  # 11: the shortest with anything hidden in the middle
        ("1234567890", "**********"),  # 10: first 6 + last 4 would show it all
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_id_number(value, masked):
    assert mask_id_number(value) == masked


def test_id_number_hides_the_birth_date():
    # the birth digits would complete a masked number shown beside a birth date (DESIGN.md)
    number = make_id(7, birth="19661231")
    assert number[6:14] == "19661231" and mask_id_number(number) == number[:6] + "********" + number[14:]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("02912345", "029****2345"),  # 8: the shortest shown as 3 + 4
        ("1234567", "*******"),  # 7: 3 + 4 would show it all
        ("", ""),
        (None, ""),
    ],
)
def test_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李"), ("", ""), (None, "")]
)
def test_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (dt.date(1957, 8, 23), "1957-**-**"),  # a Person's birth_date
        ("1957-08-23", "1957-**-**"),  # the same date as an audit diff already holds it (JSON)
        ("", None),
        (None, None),  # no date: nothing, not "None-**-**"
    ],
)
def test_birth_date_keeps_the_year_only(value, masked):
    assert mask_date(value) == masked
