"""Personal data in text bound for a public page (the 晒事 board): people's names from the ledger,
house and room numbers, phones and ID numbers. Nothing here reads the database: callers pass the
names of the community the page belongs to (people.public_text does).

Names, precisely — a name in the ledger matches where its characters occur in the text, except:
- a single character is never a name (a surname alone names nobody);
- a two-character name (surname + one character) is also often an ordinary word or the seam of two
  (文明, 高峰, 余额; 照顾|建筑 holds 顾建). Such an occurrence does not count when it overlaps an
  ordinary word of ORDINARY_WORDS or of the community's own place and organisation names — unless a
  title right after it marks a person (文明先生, 高峰师傅);
- names of three or more characters match wherever they occur (王建国 in 王建国庆节 too: a full
  name of a neighbour is never worth publishing).
Latin letters compare without case. Full-width digits and letters count as their ASCII twins.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

KINDS = {
    "name": pgettext_lazy("personal data", "name"),
    "house": pgettext_lazy("personal data", "house number"),
    "phone": pgettext_lazy("personal data", "phone number"),
    "id_number": pgettext_lazy("personal data", "ID number"),
}
# when two findings overlap, the first kind here wins
PRIORITY = ("id_number", "phone", "house", "name")

TITLES = (
    "先生",
    "女士",
    "小姐",
    "阿姨",
    "大爷",
    "大妈",
    "大姐",
    "大哥",
    "奶奶",
    "爷爷",
    "师傅",
    "同志",
    "老师",
    "老人",
    "夫妇",
    "一家",
)

# Ordinary words of community notices and outcomes that contain or border a surname: where a
# two-character name overlaps one of them, the name is taken as part of the word.
ORDINARY_WORDS = frozenset(
    [
        "小区",
        "社区",
        "街道",
        "居民",
        "业主",
        "物业",
        "公司",
        "服务",
        "管理",
        "维修",
        "维护",
        "修缮",
        "修复",
        "资金",
        "余额",
        "余量",
        "余下",
        "其余",
        "改造",
        "工程",
        "施工",
        "安装",
        "加装",
        "电梯",
        "楼道",
        "照明",
        "路灯",
        "停车",
        "车位",
        "车辆",
        "车棚",
        "车库",
        "充电",
        "消防",
        "通道",
        "安全",
        "安宁",
        "安静",
        "安排",
        "安置",
        "平安",
        "隐患",
        "整改",
        "清理",
        "清洁",
        "垃圾",
        "分类",
        "环境",
        "卫生",
        "绿化",
        "花园",
        "花坛",
        "园林",
        "供暖",
        "供水",
        "供电",
        "排水",
        "管道",
        "管理",
        "漏水",
        "防水",
        "屋面",
        "外墙",
        "保温",
        "门禁",
        "监控",
        "道路",
        "路面",
        "路段",
        "马路",
        "马上",
        "更换",
        "完成",
        "完工",
        "完善",
        "已经",
        "全部",
        "全面",
        "全体",
        "全年",
        "齐全",
        "部分",
        "费用",
        "列支",
        "预算",
        "公示",
        "公开",
        "公告",
        "公布",
        "公共",
        "公用",
        "公平",
        "公园",
        "公益",
        "结果",
        "决定",
        "协商",
        "议事",
        "会议",
        "通知",
        "时间",
        "时段",
        "时候",
        "及时",
        "同时",
        "地点",
        "活动",
        "党员",
        "群众",
        "志愿",
        "网格",
        "楼栋",
        "单元",
        "住户",
        "家庭",
        "老人",
        "儿童",
        "文明",
        "文化",
        "文体",
        "和谐",
        "和平",
        "宁静",
        "方便",
        "方案",
        "方式",
        "方面",
        "地方",
        "范围",
        "周边",
        "周末",
        "周围",
        "每周",
        "明年",
        "明天",
        "明确",
        "明显",
        "光明",
        "明亮",
        "说明",
        "今年",
        "同意",
        "反对",
        "弃权",
        "表决",
        "通过",
        "签字",
        "高峰",
        "提高",
        "高度",
        "高层",
        "高空",
        "照顾",
        "关心",
        "关爱",
        "关于",
        "帮助",
        "解决",
        "问题",
        "情况",
        "反映",
        "意见",
        "建议",
        "建设",
        "建筑",
        "建立",
        "创建",
        "修建",
        "新建",
        "成立",
        "成功",
        "成员",
        "成果",
        "组成",
        "造成",
        "金额",
        "资金",
        "万元",
        "任何",
        "任务",
        "责任",
        "担任",
        "包括",
        "程序",
        "过程",
        "工程",
        "进程",
        "白天",
        "平方",
        "平米",
        "水平",
        "平时",
        "平台",
        "常年",
        "常态",
        "经常",
        "向上",
        "于是",
        "由于",
        "江边",
        "海边",
        "石材",
        "石板",
        "钱款",
        "毛病",
        "严重",
        "严格",
        "康复",
        "健康",
        "温度",
        "温暖",
        "冬季",
        "夏季",
        "春季",
        "秋季",
        "春节",
        "国庆",
        "元旦",
        "中秋",
        "端午",
        "雨水",
        "雪天",
        "龙头",
        "申请",
        "申报",
        "左侧",
        "右侧",
        "东侧",
        "西侧",
        "南侧",
        "北侧",
        "东门",
        "西门",
        "南门",
        "北门",
        "商户",
        "商铺",
        "易燃",
        "乐园",
        "华东",
        "西北",
        "宁夏",
        "银川",
        "金凤",
        "兴庆",
        "西夏",
        "贺兰",
        "永宁",
        "灵武",
        "石嘴",
        "吴忠",
        "固原",
        "中卫",
        "房屋",
        "房间",
        "住房",
        "楼房",
        "楼上",
        "楼下",
        "楼层",
        "楼顶",
        "门口",
        "门前",
        "电动",
        "电瓶",
        "电线",
        "飞线",
        "燃气",
        "天然",
        "费用",
        "收费",
        "缴费",
        "交费",
        "业委",
        "委员",
        "主任",
        "书记",
        "代表",
        "居委",
        "居委会",
        "党支部",
        "党委",
        "支部",
        "计划",
        "项目",
        "通道",
        "楼长",
        "单元长",
        "网格员",
        "共同",
        "共建",
        "共治",
        "共享",
        "议题",
        "协调",
        "调解",
        "纠纷",
        "邻里",
        "邻居",
        "和睦",
        "团结",
        "宣传",
        "宣讲",
        "培训",
        "讲座",
        "汇报",
        "报告",
        "报名",
        "登记",
    ]
)

DIGIT = r"[0-9]"
CN_NUM = "一二三四五六七八九十"
SEP = r"[\s\-—–_·•.:/()（）\[\]【】]"
# after a room number: a quantity, not a room (101户 = 101 households, 120平米)
QUANTITY = r"(?![0-9]|户|人|名|个|元|万|平|米|㎡|辆|次|天|年|月|日|号楼|层|%|份|套|间|栋|幢|单元|岁)"
ROOM = rf"(?<![0-9]){DIGIT}{{3,4}}{QUANTITY}(?:室|号房|号|房)?"
UNIT = rf"(?:{DIGIT}{{1,2}}|[{CN_NUM}]{{1,3}})\s*单元"
BUILDING = rf"(?:(?<![0-9A-Za-z])[A-Za-z]|(?<![0-9]){DIGIT}{{1,3}}|[{CN_NUM}]{{1,3}})\s*(?:号楼|栋|幢|座|#楼|#)"
PATTERNS = [
    ("house", re.compile(rf"{BUILDING}{SEP}{{0,3}}(?:{UNIT}{SEP}{{0,3}})?{ROOM}")),
    ("house", re.compile(rf"{UNIT}{SEP}{{0,3}}{ROOM}")),
    ("house", re.compile(rf"(?<![0-9]){DIGIT}{{3,4}}\s*(?:室|号房)")),
    ("house", re.compile(r"(?<![0-9\-])[0-9]{1,3}\s*-\s*[0-9]{1,2}\s*-\s*[0-9]{3,4}(?![0-9\-])")),
    ("phone", re.compile(r"(?<![0-9])(?:\+?86[\s\-]?)?1[3-9][0-9](?:[\s\-]?[0-9]{4}){2}(?![0-9])")),
    ("phone", re.compile(r"(?<![0-9])1[3-9][0-9][*xX]{4}[0-9]{4}(?![0-9])")),
    ("phone", re.compile(r"(?<![0-9])(?:\(0[0-9]{2,3}\)|0[0-9]{2,3})[\s\-]?[2-9][0-9]{6,7}(?![0-9])")),
    (
        "id_number",
        re.compile(
            r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
        ),
    ),
    (
        "id_number",
        re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}(?![0-9A-Za-z])"),
    ),
    ("id_number", re.compile(r"(?<![0-9A-Za-z])[0-9]{6}\*{6,10}[0-9]{2,3}[0-9Xx](?![0-9A-Za-z])")),
]
# a local number without area code is a phone only when a phone word introduces it
LOCAL_PHONE = re.compile(r"(?:电话|手机|座机|联系方式|tel)[:\s]*([2-9][0-9]{6,7})(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self):
        return KINDS[self.kind]


# Full-width ASCII (０-９, Ａ-ｚ, －, （ …) as ASCII, one character for one, so positions hold.
_ASCII = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FOLD = (
    _ASCII | {c: c + 32 for c in range(ord("A"), ord("Z") + 1)} | {c: c - 0xFEE0 + 32 for c in range(0xFF21, 0xFF3B)}
)


def _ascii(text: str) -> str:
    return text.translate(_ASCII)


def _spans(text: str, words) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        start = text.find(word)
        while start != -1:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return spans


def _fold(text: str) -> str:
    """Full-width as ASCII, ASCII letters in lower case: one character for one."""
    return text.translate(_FOLD)


def _names(text: str, names, ordinary) -> list[Finding]:
    folded = _fold(text)
    by_length: dict[int, set[str]] = {}
    for name in names:
        name = _fold((name or "").strip())
        if len(name) >= 2:
            by_length.setdefault(len(name), set()).add(name)
    words = {w for w in (_fold(o) for o in ordinary) if len(w) >= 2} | ORDINARY_WORDS
    # only the ordinary words that occur: a 9,000-name ledger and a few hundred words stay cheap
    word_spans = _spans(folded, (w for w in words if w in folded)) if 2 in by_length else []
    found = []
    for length, candidates in by_length.items():
        for i in range(len(folded) - length + 1):
            if folded[i : i + length] not in candidates:
                continue
            if length == 2 and not folded.startswith(TITLES, i + 2) and any(a < i + 2 and b > i for a, b in word_spans):
                continue
            found.append(Finding("name", i, i + length, text[i : i + length]))
    return found


def find_personal_data(text: str, *, names=(), ordinary=()) -> list[Finding]:
    """What in `text` is personal data, in text order, overlaps resolved (ID before phone before
    house before name, then the longer)."""
    if not text:
        return []
    plain = _ascii(text)
    found = [
        Finding(kind, m.start(), m.end(), text[m.start() : m.end()])
        for kind, rx in PATTERNS
        for m in rx.finditer(plain)
    ]
    found += [Finding("phone", m.start(1), m.end(1), text[m.start(1) : m.end(1)]) for m in LOCAL_PHONE.finditer(plain)]
    found += _names(text, names, ordinary)
    kept: list[Finding] = []
    for f in sorted(found, key=lambda f: (PRIORITY.index(f.kind), f.start, f.start - f.end)):
        if not any(f.start < k.end and k.start < f.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def describe(findings) -> str:
    """姓名“顾建”、门牌号“1号楼101” — what was found, for an error message."""
    separator = pgettext("list separator", ", ")
    return separator.join(_("%(kind)s “%(text)s”") % {"kind": f.label, "text": f.text} for f in findings)


def highlight(text: str, findings) -> str:
    """The text, escaped, with each finding in <mark>."""
    out: list[str] = []
    pos = 0
    for f in findings:
        out.append(escape(text[pos : f.start]))
        out.append(
            '<mark class="personal-data bg-danger-subtle text-danger-emphasis fw-semibold rounded px-1" '
            f'title="{escape(f.label)}">'
            f"{escape(f.text)}</mark>"
        )
        pos = f.end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


class PersonalDataError(ValidationError):
    """Field-level refusals of text bound for a public page; `marked` holds each field's text with
    the findings highlighted, for the screen to show."""

    def __init__(self, found: dict):
        self.found = found  # field -> (text, findings)
        super().__init__(
            {
                field: ValidationError(
                    _("Text for a public page may not contain personal data: %(found)s. Remove or rewrite it.")
                    % {"found": describe(fs)},
                    code="personal_data",
                )
                for field, (_text, fs) in found.items()
            }
        )

    @property
    def marked(self) -> dict:
        return {field: highlight(text, fs) for field, (text, fs) in self.found.items()}


def check(fields: dict, *, names=(), ordinary=()) -> None:
    """Raise PersonalDataError for every field of `fields` (name -> text) holding personal data."""
    names, ordinary = list(names), list(ordinary)
    found = {}
    for field, text in fields.items():
        findings = find_personal_data(text or "", names=names, ordinary=ordinary)
        if findings:
            found[field] = (text, findings)
    if found:
        raise PersonalDataError(found)
