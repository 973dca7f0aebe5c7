"""The ledger file format: one sheet, one row per person, Chinese headers (the users' own words)."""

from linli.people.models import Relation, Tenure

SHEET = "住户台账"
COMPOUND, BUILDING, UNIT, HOUSE = "小区", "楼栋", "单元", "门牌号"
TENURE, NAME, RELATION, ID_NUMBER, PHONE, TAGS = "自有或租住", "姓名", "与户主关系", "身份证号", "联系电话", "标签"
# the owners register (产权人, people.Ownership): 是 — this person owns this house (with a share for
# co-owners); 否 — no longer; blank (or no such column) — the register is left as it is
OWNER, SHARE = "产权人", "产权份额"
PERSON_HEADERS = [COMPOUND, BUILDING, UNIT, HOUSE, TENURE, NAME, RELATION, ID_NUMBER, PHONE, TAGS]
HEADERS = [*PERSON_HEADERS, OWNER, SHARE]
REQUIRED = [COMPOUND, BUILDING, UNIT, HOUSE, NAME, ID_NUMBER]
EXPORT_HEADERS = ["网格", *PERSON_HEADERS]  # the export lists residents; the register is on the house pages
ERROR_HEADER = "错误原因"

RELATIONS = {
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙子女": Relation.GRANDCHILD,
    "祖父母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "其他": Relation.OTHER,
}
RELATION_LABELS = {
    Relation.HEAD: "户主",
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.GRANDCHILD: "孙子女",
    Relation.GRANDPARENT: "祖父母",
    Relation.SIBLING: "兄弟姐妹",
    Relation.OTHER: "其他",
}
TENURES = {
    "自有": Tenure.OWNER,
    "业主": Tenure.OWNER,
    "自住": Tenure.OWNER,
    "租住": Tenure.TENANT,
    "租户": Tenure.TENANT,
}
TENURE_LABELS = {Tenure.OWNER: "自有", Tenure.TENANT: "租住"}
TAG_SEPARATORS = ("，", ",", "、", ";", "；", " ")
OWNER_YES, OWNER_NO = ("是", "产权人", "业主"), ("否",)
