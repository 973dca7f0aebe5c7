"""Chinese order for lists (docs/architecture.md, "Chinese order"). Code-point order puts 第一,
第三, 第二 and 10号楼 before 2号楼; here places sort by their numbers — 2号楼 before 10号楼, 第二网格
before 第十网格, Chinese numerals read as numbers — and people's names by pinyin.

Each name becomes a sort key of ASCII digits and lower-case letters only, stored beside it
(core.fields.SortKeyField), so that SQLite and PostgreSQL — whatever its database collation, C or
a glibc locale, which order [0-9a-z] alike — return the same order. A key is a run of
self-delimiting segments, so two keys that agree up to a point are cut at the same places:
- a number: "1" and 12 digits (2号楼 and 二号楼 alike);
- a Chinese character: its pinyin padded to 6 with "0", then its tone 1–5 (阿 = a000001);
- a Latin letter: the letter, then "000000" (before the pinyin of the same letter);
- anything else: "0" and its code point in 6 hex digits; white space is skipped.
Numbers come before letters, letters in pinyin order, and a shorter syllable before a longer one
(西安 xi·an before 先 xian).
"""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

MAX_LENGTH = 255
CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
# a Chinese numeral starts with a digit or 十 (a lone 百/千/万 is a word: 万家, 千禧)
CN_NUMBER = "[〇零一二两三四五六七八九十][〇零一二两三四五六七八九十百千万]*"
PLACE_TOKENS = re.compile(rf"[0-9]+|{CN_NUMBER}|(?:(?![〇零一二两三四五六七八九十])[\u3400-\u9fff])+|\S", re.ASCII)
NAME_TOKENS = re.compile(r"[\u3400-\u9fff]+|\S")
HAN = re.compile(r"[\u3400-\u9fff]")
SYLLABLE = re.compile(r"([a-z]+)([1-5])")
# surnames read otherwise than the character's usual reading (曾 zēng, not céng; 单 shàn, not dān)
SURNAMES = {
    "曾": "zeng1",
    "单": "shan4",
    "解": "xie4",
    "仇": "qiu2",
    "朴": "piao2",
    "区": "ou1",
    "查": "zha1",
    "翟": "zhai2",
    "乐": "yue4",
    "尉": "yu4",
    "盖": "ge3",
    "召": "shao4",
    "缪": "miao4",
    "覃": "qin2",
    "眭": "sui1",
    "冼": "xian3",
    "阚": "kan4",
    "黑": "he4",
    "繁": "po2",
    "种": "chong2",
}


def chinese_number(text: str) -> int:
    """一百零五 = 105, 十二 = 12, 二十 = 20, 一〇一 = 101 (read digit by digit when it has no 十百千万)."""
    if not any(c in CN_UNITS or c == "万" for c in text):
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total = section = digit = 0
    for c in text:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        elif c in CN_UNITS:
            section += (digit or 1) * CN_UNITS[c]
            digit = 0
        else:  # 万
            total += ((section + digit) or 1) * 10000
            section = digit = 0
    return total + section + digit


def _number(n: int) -> str:
    return "1" + f"{min(n, 10**12 - 1):012d}"


def _other(char: str) -> str:
    if "a" <= char.lower() <= "z":
        return char.lower() + "000000"
    return "0" + f"{ord(char):06x}"


def _han(run: str, surname: bool = False) -> list[str]:
    syllables = lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True)
    if len(syllables) != len(run):  # a character without pinyin kept as a run: one at a time
        syllables = [lazy_pinyin(c, style=Style.TONE3, neutral_tone_with_five=True)[0] for c in run]
    if surname and run[0] in SURNAMES:
        syllables[0] = SURNAMES[run[0]]
    out = []
    for char, syllable in zip(run, syllables, strict=True):
        m = SYLLABLE.fullmatch(syllable.replace("ü", "v"))
        out.append(f"{m.group(1):0<6}{m.group(2)}" if m else _other(char))
    return out


def _key(text: str, tokens, numbers: bool) -> str:
    parts: list[str] = []
    for i, token in enumerate(tokens.findall(text or "")):
        if numbers and token.isascii() and token.isdigit():
            parts.append(_number(int(token)))
        elif numbers and re.fullmatch(CN_NUMBER, token):
            parts.append(_number(chinese_number(token)))
        elif HAN.match(token):
            parts += _han(token, surname=not numbers and i == 0)
        else:
            parts.append(_other(token))
    return "".join(parts)[:MAX_LENGTH]


@lru_cache(maxsize=65536)
def place_key(name: str) -> str:
    """Places (网格, 小区, 楼栋, 单元, 房号): numbers by value, the rest by pinyin."""
    return _key(name, PLACE_TOKENS, numbers=True)


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """People's names: by pinyin, character by character (一 in a name is yi, not 1)."""
    return _key(name, NAME_TOKENS, numbers=False)


KEYS = {"place": place_key, "name": name_key}
