"""Chinese names for the demo sub-district, without Faker (which is only in the `bench` extra):
common surnames and given names, drawn by a seeded generator of their own, so the demo's other
random choices do not depend on how names are drawn and a seed gives the same names each run."""

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE = ["伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宁", "健", "亮", "凯", "浩", "峰", "鹏飞", "建国", "建华", "建军", "志强", "志明", "志刚", "国强", "国庆", "海波", "海涛", "俊杰", "浩然", "子轩", "宇航", "博文", "文博", "晨阳", "家豪", "明辉", "立新", "永刚", "振华", "德胜", "长青", "红军", "卫东", "晓东", "春生", "学军", "文杰", "天佑", "一鸣", "思远", "嘉诚", "铭泽", "睿", "宇", "昊", "然", "泽宇", "俊熙", "皓轩", "子墨", "承志", "世杰", "少华", "玉福", "金山", "占海", "生荣"]
FEMALE = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "雪", "琳", "晶", "颖", "倩", "燕", "玲", "萍", "红", "梅", "兰", "秀英", "桂英", "玉兰", "秀兰", "欣怡", "梓涵", "雨涵", "诗涵", "佳怡", "思琪", "梦瑶", "晓燕", "丽娟", "春梅", "海燕", "红梅", "淑珍", "凤英", "慧敏", "小红", "丽华", "桂兰", "玉珍", "金花", "雅琴", "佳琪", "雨桐", "可馨", "若曦", "一诺", "语嫣", "紫萱", "安琪", "静怡", "婉清", "晓丽", "彩霞", "美玲", "秀珍", "爱华", "翠兰", "月娥", "玉梅", "素芳", "巧玲", "亚楠", "文静", "悦"]


class Names:
    def __init__(self, seed):
        self.rng = random.Random(f"linli-demo-names-{seed}")

    def surname(self) -> str:
        return self.rng.choice(SURNAMES)

    def given(self, male: bool) -> str:
        return self.rng.choice(MALE if male else FEMALE)

    def full(self) -> str:
        """A contact person's name, of either sex."""
        return self.surname() + self.given(self.rng.random() < 0.5)
