"""Word lists of the demo data: Guangdong cities, colleges, enterprise name parts, people's names,
consortia. Plain data only; demo.seed turns them into rows."""
from __future__ import annotations

from typing import NamedTuple

PROVINCE_CODE = "440000"  # 广东省
DEMO_COLLEGE = "4144012832"  # 广东交通职业技术学院: the school of the `college` demo login

# Prefecture-level cities of Guangdong: code -> (short Chinese name used in company names, English).
CITIES: dict[str, tuple[str, str]] = {
    "440100": ("广州", "Guangzhou"),
    "440200": ("韶关", "Shaoguan"),
    "440300": ("深圳", "Shenzhen"),
    "440400": ("珠海", "Zhuhai"),
    "440500": ("汕头", "Shantou"),
    "440600": ("佛山", "Foshan"),
    "440700": ("江门", "Jiangmen"),
    "440800": ("湛江", "Zhanjiang"),
    "440900": ("茂名", "Maoming"),
    "441200": ("肇庆", "Zhaoqing"),
    "441300": ("惠州", "Huizhou"),
    "441400": ("梅州", "Meizhou"),
    "441500": ("汕尾", "Shanwei"),
    "441600": ("河源", "Heyuan"),
    "441700": ("阳江", "Yangjiang"),
    "441800": ("清远", "Qingyuan"),
    "441900": ("东莞", "Dongguan"),
    "442000": ("中山", "Zhongshan"),
    "445100": ("潮州", "Chaozhou"),
    "445200": ("揭阳", "Jieyang"),
    "445300": ("云浮", "Yunfu"),
}

# Where enterprises are registered (weights): the Pearl River Delta dominates.
ENTERPRISE_CITY_WEIGHTS: dict[str, int] = {
    "440100": 30, "440300": 22, "440600": 12, "441900": 10, "440400": 5, "442000": 5, "441300": 4,
    "440700": 3, "441200": 2, "440500": 2, "441800": 2, "440800": 1, "440200": 1, "440900": 1,
}
# Districts used in the registration-authority part of credit codes (cities without districts use 00).
CITY_DISTRICTS: dict[str, tuple[str, ...]] = {
    "440100": ("03", "04", "05", "06", "11", "12", "13", "14", "15"),
    "440300": ("03", "04", "05", "06", "07", "08", "09", "10"),
    "440600": ("04", "05", "06", "07", "08"),
    "441900": ("00",),
    "442000": ("00",),
}


class SchoolSeed(NamedTuple):
    code: str
    name: str
    name_en: str
    short: str
    level: str
    ownership: str
    city: str
    families: tuple[str, ...]  # program families it is known for (demo.seed.catalogue.FAMILIES)
    programs: int  # how many programs it runs


H, S, U = "higher_vocational", "secondary_vocational", "vocational_undergraduate"

# Real Guangdong vocational colleges; their 10-digit codes here are made up for the demo.
SCHOOLS: list[SchoolSeed] = [
    SchoolSeed("4144012832", "广东交通职业技术学院", "Guangdong Communication Polytechnic", "广东交院", H, "public",
               "440100", ("transport", "autoservice", "auto", "civil", "logistics", "software"), 14),
    SchoolSeed("4144012833", "广州番禺职业技术学院", "Guangzhou Panyu Polytechnic", "番禺职院", H, "public",
               "440100", ("mech", "electronics", "software", "commerce", "hospitality", "accounting"), 12),
    SchoolSeed("4144013720", "广东机电职业技术学院", "Guangdong Mechanical & Electrical Polytechnic", "广东机电", H,
               "public", "440100", ("mech", "electric", "auto", "electronics", "energy"), 12),
    SchoolSeed("4144013927", "广州华商职业学院", "Guangzhou Huashang Vocational College", "华商职院", H, "private",
               "440100", ("accounting", "commerce", "finance", "logistics", "software"), 10),
    SchoolSeed("4144012961", "广东岭南职业技术学院", "Guangdong Lingnan Institute of Technology", "岭南职院", H,
               "private", "440100", ("commerce", "hospitality", "software", "health", "eldercare"), 10),
    SchoolSeed("4144012755", "深圳信息职业技术学院", "Shenzhen Institute of Information Technology", "深信院", H,
               "public", "440300", ("software", "electronics", "telecom", "commerce"), 12),
    SchoolSeed("4144012869", "佛山职业技术学院", "Foshan Polytechnic", "佛山职院", H, "public",
               "440600", ("mech", "auto", "electric", "electronics", "building"), 11),
    SchoolSeed("4144012870", "顺德职业技术学院", "Shunde Polytechnic", "顺德职院", H, "public",
               "440600", ("electric", "mech", "hospitality", "catering", "commerce"), 11),
    SchoolSeed("4144012958", "东莞职业技术学院", "Dongguan Polytechnic", "东莞职院", H, "public",
               "441900", ("electronics", "mech", "software", "logistics"), 11),
    SchoolSeed("4144013943", "中山职业技术学院", "Zhongshan Polytechnic", "中山职院", H, "public",
               "442000", ("electric", "electronics", "mech", "commerce"), 10),
    SchoolSeed("4144014307", "珠海城市职业技术学院", "Zhuhai City Polytechnic", "珠海城职", H, "public",
               "440400", ("electronics", "software", "hospitality", "health"), 10),
    SchoolSeed("4144012920", "江门职业技术学院", "Jiangmen Polytechnic", "江门职院", H, "public",
               "440700", ("mech", "auto", "eldercare", "catering", "building"), 10),
    SchoolSeed("4144011113", "深圳职业技术大学", "Shenzhen Polytechnic University", "深职大", U, "public",
               "440300", ("software", "electronics", "auto", "mech", "telecom"), 13),
    SchoolSeed("4144013668", "广州科技职业技术大学", "Guangzhou Vocational University of Science and Technology",
               "广州科大", U, "private", "440100", ("software", "mech", "accounting", "commerce"), 12),
    SchoolSeed("4144013719", "广东工商职业技术大学", "Guangdong Vocational University of Industry and Commerce",
               "广东工商", U, "private", "441200", ("accounting", "commerce", "electronics", "civil"), 12),
    SchoolSeed("3144010021", "广州市交通运输职业学校", "Guangzhou Transport Vocational School", "广州交校", S,
               "public", "440100", ("autoservice", "transport", "logistics"), 6),
    SchoolSeed("3144030058", "深圳市第二职业技术学校", "Shenzhen No. 2 Vocational Technical School", "深圳二职", S,
               "public", "440300", ("autoservice", "electronics", "software", "hospitality"), 6),
    SchoolSeed("3144190036", "东莞市电子科技学校", "Dongguan Electronic Science and Technology School", "东莞电子",
               S, "public", "441900", ("electronics", "software", "mech"), 6),
    SchoolSeed("3144050017", "汕头市鮀滨职业技术学校", "Shantou Tuobin Vocational Technical School", "鮀滨职校", S,
               "public", "440500", ("hospitality", "catering", "commerce", "accounting"), 6),
    SchoolSeed("3144180045", "清远市职业技术学校", "Qingyuan Vocational Technical School", "清远职校", S, "public",
               "441800", ("autoservice", "electric", "health"), 6),
]

# Brand words of the (fictional) enterprises: Chinese and the pinyin used in English names.
BRANDS: list[tuple[str, str]] = [
    ("粤驰", "Yuechi"), ("华创", "Huachuang"), ("南粤", "Nanyue"), ("珠江", "Zhujiang"), ("海纳", "Haina"),
    ("鹏程", "Pengcheng"), ("汇智", "Huizhi"), ("优联", "Youlian"), ("恒达", "Hengda"), ("鼎盛", "Dingsheng"),
    ("启航", "Qihang"), ("瑞丰", "Ruifeng"), ("卓越", "Zhuoyue"), ("博远", "Boyuan"), ("天弘", "Tianhong"),
    ("精工", "Jinggong"), ("金穗", "Jinsui"), ("云帆", "Yunfan"), ("星河", "Xinghe"), ("宏图", "Hongtu"),
    ("信达", "Xinda"), ("新锐", "Xinrui"), ("立德", "Lide"), ("安和", "Anhe"), ("广润", "Guangrun"),
    ("易通", "Yitong"), ("联创", "Lianchuang"), ("智越", "Zhiyue"), ("科睿", "Kerui"), ("远航", "Yuanhang"),
    ("宇辰", "Yuchen"), ("凯达", "Kaida"), ("锦程", "Jincheng"), ("华宸", "Huachen"), ("嘉禾", "Jiahe"),
    ("德润", "Derun"), ("同创", "Tongchuang"), ("和泰", "Hetai"), ("永信", "Yongxin"), ("腾越", "Tengyue"),
    ("盈科", "Yingke"), ("华拓", "Huatuo"), ("正航", "Zhenghang"), ("骏达", "Junda"), ("中驰", "Zhongchi"),
    ("科讯", "Kexun"), ("思远", "Siyuan"), ("昊天", "Haotian"), ("瀚海", "Hanhai"), ("新程", "Xincheng"),
    ("品诚", "Pincheng"), ("华盛", "Huasheng"), ("蓝海", "Lanhai"), ("誉达", "Yuda"), ("卓联", "Zhuolian"),
    ("佳讯", "Jiaxun"), ("金鹏", "Jinpeng"), ("万泰", "Wantai"), ("顺联", "Shunlian"), ("恒润", "Hengrun"),
    ("智诚", "Zhicheng"), ("粤新", "Yuexin"), ("宏远", "Hongyuan"), ("致远", "Zhiyuan"), ("创联", "Chuanglian"),
    ("海川", "Haichuan"), ("明德", "Mingde"), ("泰和", "Taihe"), ("云岭", "Yunling"), ("沃达", "Woda"),
    ("捷成", "Jiecheng"), ("奥创", "Aochuang"), ("源泰", "Yuantai"), ("众联", "Zhonglian"), ("弘毅", "Hongyi"),
    ("晟达", "Shengda"), ("华粤", "Huayue"), ("中研", "Zhongyan"), ("领航", "Linghang"), ("新港", "Xingang"),
]

# Common surnames (Guangdong-heavy) and given-name characters for teachers and demo users.
SURNAMES = (
    "陈陈陈黄黄黄李李李张张梁梁林林刘刘何何罗郑谢冯邓吴叶钟曾温蔡潘彭杨赖卢苏周麦关王朱胡郭高许"
    "韩邹江徐孙马唐宋董袁姚谭莫区"
)
GIVEN_SINGLE = "伟芳敏静丽强磊军洋勇艳杰娟涛明超华慧文斌宇浩凯鹏俊丹婷欣雪琳晨颖玲楠倩蕾瑶琪辉峰坤荣"
GIVEN_DOUBLE = (
    "建华", "志强", "晓东", "海燕", "思远", "子涵", "嘉欣", "一鸣", "振华", "国栋", "伟民", "丽君", "少华",
    "永康", "德明", "家豪", "志明", "嘉怡", "诗雅", "婉婷", "锦荣", "泽楠", "晓琳", "文杰", "俊杰", "雅琪",
    "颖欣", "浩然", "梓轩", "宇航", "佩珊", "绮雯", "卓峰", "耀华", "健雄", "惠玲", "秋萍", "春燕", "冠宇",
)


class MemberSeed(NamedTuple):
    """A consortium member that is not a school or enterprise of the demo lists."""

    name: str
    kind: str  # association | research_institute | government | other
    role: str  # lead | member


class ConsortiumSeed(NamedTuple):
    name: str
    kind: str
    region: str
    sector: str
    established: tuple[int, int, int]
    description: str
    lead_schools: tuple[str, ...]  # school codes
    school_families: tuple[str, ...]  # other member schools: those running programs of these families
    school_cities: tuple[str, ...]  # ... in these cities (empty: anywhere)
    enterprise_families: tuple[str, ...]
    enterprise_cities: tuple[str, ...]
    enterprises: int  # how many member enterprises besides a lead
    others: tuple[MemberSeed, ...]


CONSORTIA: list[ConsortiumSeed] = [
    ConsortiumSeed(
        "广州市智能制造产教联合体", "city_consortium", "440100", "C34", (2023, 6, 16),
        "由广州经济技术开发区管委会、广东机电职业技术学院和区内龙头企业牵头，统筹园区企业、职业院校和研究机构，"
        "共建共享实训基地、联合培养智能制造技术技能人才。",
        ("4144013720",), ("mech", "electric", "auto", "electronics"), ("440100",),
        ("mech", "electric", "auto", "electronics"), ("440100",), 10,
        (
            MemberSeed("广州经济技术开发区管理委员会", "government", "lead"),
            MemberSeed("广州市智能制造产业协会", "association", "member"),
            MemberSeed("广东省智能制造研究所", "research_institute", "member"),
        ),
    ),
    ConsortiumSeed(
        "新能源汽车行业产教融合共同体", "industry_community", "440000", "C36", (2023, 12, 8),
        "由新能源汽车龙头企业与高水平职业院校牵头，联合全省汽车制造、检测维修企业和行业协会，"
        "共同开发专业教学标准、课程与教材，开展订单培养和现代学徒制。",
        ("4144012832", "4144011113"), ("auto", "autoservice"), (),
        ("auto", "autoservice"), (), 12,
        (
            MemberSeed("广东省汽车行业协会", "association", "member"),
            MemberSeed("广东省新能源汽车技术研究院", "research_institute", "member"),
            MemberSeed("广东省工业和信息化厅装备工业处", "government", "member"),
        ),
    ),
    ConsortiumSeed(
        "深圳市电子信息产教联合体", "city_consortium", "440300", "C39", (2024, 3, 20),
        "面向深圳电子信息产业集群，由深圳职业技术大学牵头，联合企业共建集成电路、智能终端等公共实训平台。",
        ("4144011113",), ("electronics", "software", "telecom"), ("440300",),
        ("electronics", "telecom", "software"), ("440300",), 9,
        (
            MemberSeed("深圳市工业和信息化局", "government", "member"),
            MemberSeed("深圳市电子信息产业联合会", "association", "member"),
        ),
    ),
    ConsortiumSeed(
        "广东交通运输职业教育集团", "vocational_group", "440000", "G54", (2016, 11, 18),
        "以广东交通职业技术学院为牵头单位，联合交通运输企业、中职学校和行业协会组建的职业教育集团。",
        ("4144012832",), ("transport", "logistics", "autoservice", "civil"), (),
        ("transport", "logistics", "civil"), (), 8,
        (
            MemberSeed("广东省交通运输厅", "government", "member"),
            MemberSeed("广东省道路运输协会", "association", "member"),
        ),
    ),
]

# Third-party evaluator of graduates (feedback not given by an enterprise).
EVALUATOR = "广东省职业教育质量评价中心（毕业生跟踪调查）"
