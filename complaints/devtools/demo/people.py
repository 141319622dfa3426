"""Who the demo is about: the three partner carriers, the demo users (supervisor, agents, the carriers' API users),
and what complainants, parcels and places are drawn from (names, mobile prefixes, mail domains, hubs, cities)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import GROUP_AGENT, GROUP_CARRIER, GROUP_SUPERVISOR, Role

# --- Carriers and users ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarrierSpec:
    code: str
    name_zh: str
    name_en: str
    contact_email: str


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    group: str
    name_en: str = ""
    carrier: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.carrier is None


CARRIERS = (
    CarrierSpec("ZTO", "中通快递", "ZTO Express", "kefu@zto.example.com"),
    CarrierSpec("SF", "顺丰速运", "SF Express", "kefu@sf-express.example.com"),
    CarrierSpec("KY", "跨越速运", "KY Express", "kefu@ky-express.example.com"),
)

# Chinese names follow tests/conftest.py: first_name holds the family name, so get_full_name() reads "王 芳".
USERS = (
    UserSpec("supervisor", "陈", "静", GROUP_SUPERVISOR, name_en="Chen Jing"),
    UserSpec("agent1", "王", "芳", GROUP_AGENT, name_en="Wang Fang"),
    UserSpec("agent2", "李", "强", GROUP_AGENT, name_en="Li Qiang"),
    UserSpec("zto_api", "中通快递", "客服对接", GROUP_CARRIER, carrier="ZTO"),
    UserSpec("sf_api", "顺丰速运", "客服对接", GROUP_CARRIER, carrier="SF"),
    UserSpec("ky_api", "跨越速运", "客服对接", GROUP_CARRIER, carrier="KY"),
)
ROLE_OF_GROUP = {GROUP_SUPERVISOR: Role.SUPERVISOR, GROUP_AGENT: Role.AGENT, GROUP_CARRIER: Role.CARRIER}
CARRIER_USER = {spec.carrier: spec.username for spec in USERS if spec.carrier}
STAFF_NAME_ZH = {spec.username: spec.first_name + spec.last_name for spec in USERS if spec.is_staff}
STAFF_NAME_EN = {spec.username: spec.name_en for spec in USERS if spec.is_staff}

# --- Complainants, parcels, places ----------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康"
    "毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_MALE = (
    "伟",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "杰",
    "涛",
    "明",
    "超",
    "刚",
    "辉",
    "鹏",
    "飞",
    "建国",
    "志强",
    "晓东",
    "浩然",
    "子轩",
    "俊杰",
    "文博",
    "宇航",
    "建华",
    "海涛",
    "永强",
)
GIVEN_FEMALE = (
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "秀英",
    "桂英",
    "婷",
    "雪",
    "琳",
    "慧",
    "倩",
    "海燕",
    "雪梅",
    "文静",
    "子涵",
    "欣怡",
    "梦琪",
    "佳怡",
    "晓红",
    "丽华",
    "玉兰",
)
ENGLISH_NAMES = (
    ("Emily", "Carter", "F"),
    ("James", "Wilson", "M"),
    ("Sophie", "Martin", "F"),
    ("Daniel", "Schmidt", "M"),
    ("Olivia", "Brown", "F"),
    ("Lucas", "Silva", "M"),
    ("Hannah", "Kim", "F"),
    ("Thomas", "Dubois", "M"),
    ("Anna", "Novak", "F"),
    ("Michael", "Evans", "M"),
    ("Laura", "Rossi", "F"),
    ("David", "Cohen", "M"),
    ("Sarah", "Taylor", "F"),
    ("Mark", "Jensen", "M"),
    ("Julia", "Fischer", "F"),
    ("Ben", "Walker", "M"),
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
# Reserved example domains (RFC 2606): demo data must never reach a real mailbox.
MAIL_DOMAINS_ZH = ("qq.example.com", "163.example.com", "126.example.com", "sina.example.com")
MAIL_DOMAINS_EN = ("mail.example.com", "example.org", "example.net")
HUBS = (
    ("上海青浦转运中心", "Shanghai Qingpu"),
    ("杭州萧山分拨中心", "Hangzhou Xiaoshan"),
    ("广州白云转运中心", "Guangzhou Baiyun"),
    ("北京顺义分拣中心", "Beijing Shunyi"),
    ("武汉东西湖转运中心", "Wuhan Dongxihu"),
    ("沈阳于洪分拨中心", "Shenyang Yuhong"),
    ("成都双流转运中心", "Chengdu Shuangliu"),
    ("深圳宝安转运中心", "Shenzhen Bao'an"),
    ("郑州航空港分拨中心", "Zhengzhou Airport"),
)
CITIES = (
    ("沈阳", "Shenyang"),
    ("上海", "Shanghai"),
    ("北京", "Beijing"),
    ("杭州", "Hangzhou"),
    ("深圳", "Shenzhen"),
    ("成都", "Chengdu"),
    ("武汉", "Wuhan"),
    ("南京", "Nanjing"),
    ("西安", "Xi'an"),
    ("重庆", "Chongqing"),
)
LOCKERS = (("丰巢快递柜", "parcel locker"), ("小区门口的智能快递柜", "smart locker at the gate"))
STATIONS = (("菜鸟驿站", "pickup station"), ("小区门卫室", "gatehouse"), ("楼下便利店", "corner shop downstairs"))
COMPOUNDS = ("阳光花园", "翠湖苑", "锦绣家园", "幸福里", "金地名京", "御景湾")
WRONG_ITEMS = (
    ("一箱洗衣液", "a case of laundry detergent"),
    ("几本旧杂志", "some old magazines"),
    ("一双拖鞋", "a pair of slippers"),
)
