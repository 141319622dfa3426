"""Demo data for ``manage.py seed_demo``: the three partner carriers, the demo users and about 300 complaints with
back-dated, realistic histories (replies, notes, hand-overs to the carrier, surveys, resolutions, reopenings), all
made through complaints.services exactly as the admin and the API make them.

Deterministic, and idempotent by identity
-----------------------------------------
Everything that identifies a planned complaint (waybill number, complainant, texts, amounts, which scenario, which
channel) comes from ``random.Random`` instances seeded with fixed strings, one per complaint, so it never depends on
when or where the command runs. Times cannot be fixed: complaints are received during the six weeks before *now*
and their histories are laid out between then and now, so a run tomorrow would compute other times (and, for the
youngest complaints, other statuses). Re-generating and comparing is therefore pointless; instead every planned
complaint is looked up by its identity, ``(waybill_number, description)``, which is unique within the plan (a
repeat complaint about the same waybill has its own description). A planned complaint that is already in the
database is left alone. Hence:

* a second run, the same day or months later, creates nothing and changes nothing: the first run's timelines stay
  where they were and simply age;
* if some demo complaints were deleted, only those are made again, with times relative to the new run;
* carriers and users are get-or-create by code and username. An existing carrier or user is never modified: its
  password, names and flags stay as they are (only a missing role group is added, which changes nothing when the
  group is already there).

All of it runs in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import Carrier, User
from accounts.roles import GROUP_AGENT, GROUP_CARRIER, GROUP_SUPERVISOR, Role
from complaints import services
from complaints.choices import (
    Category,
    Channel,
    ContactChannel,
    Language,
    Priority,
    RootCauseArea,
    Status,
)
from complaints.models import Complaint
from complaints.sla.escalate import complaint_escalate

SEED = "redress-demo-v1"
COMPLAINT_COUNT = 300
SPAN_DAYS = 42
LOGIN_URL = "http://127.0.0.1:8000/admin/"
# Nothing is dated later than this before now, and the youngest complaints are at least this old.
LAST_STEP_MARGIN = timedelta(minutes=2)
YOUNGEST = timedelta(minutes=30)
CENT = Decimal("0.01")
AGENT_APPROVAL_LIMIT = Decimal("500")


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


# --- Texts ----------------------------------------------------------------------------------------------------------
# Templates are str.format strings over the complaint's context (built in _plan_one). Carrier answers are written by the
# carrier's API user as customer-visible replies; resolutions are customer-visible; root causes are internal, for the
# department that caused the problem (Haier's "feed every result back").


@dataclass(frozen=True)
class Outcome:
    answer: str  # the carrier's reply after checking (Chinese: carriers write Chinese)
    zh: str  # resolution summary for Chinese-speaking complainants
    en: str  # the same in English
    root_cause: str
    payout: str = ""  # context key of the amount paid to the complainant, if any
    area: str = ""  # where in the network it arose (RootCauseArea): the department the result is fed back to
    liable: bool | None = None  # the carrier is liable: a valid complaint in the regulator's count


@dataclass(frozen=True)
class Scenario:
    key: str
    category: str
    zh: tuple[str, ...]
    en: tuple[str, ...]
    items: tuple[tuple[str, str, int, int], ...]  # (Chinese, English, lowest value, highest value) in CNY
    outcomes: tuple[Outcome, ...]
    weight: int = 1
    medical: bool = False


_GENERAL_ITEMS = (
    ("羽绒服", "a down jacket", 399, 1599),
    ("儿童奶粉", "baby formula", 198, 680),
    ("网购衣物", "clothes I bought online", 129, 699),
    ("运动鞋", "a pair of trainers", 399, 1299),
    ("家电配件", "appliance spare parts", 89, 799),
    ("书籍", "books", 59, 320),
)

DELAY_SORTING = Outcome(
    answer="经查，快件在{hub}分拣时被错分到{wrong_city}，已于今天早上发回，安排专人加急派送，预计明天中午前送达。",
    zh="快件已加急送达。经核实，延误原因是分拣中心错分，已为您免除本单运费{fee}元（不含保价费），并向您致歉。",
    en="Your parcel has been delivered. The delay was caused by a sorting error at the hub; the shipping fee of "
    "¥{fee} has been waived (insurance excluded). We apologise.",
    root_cause="分拣中心错分：{hub}将快件错分至{wrong_city}",
    area=RootCauseArea.SORTING,
    liable=True,
    payout="fee",
)
DELAY_BACKLOG = Outcome(
    answer="{hub}近期包裹积压，您的快件已优先处理，今天已到达派送网点，派件员{courier}下午送达。",
    zh="快件已送达。因{hub}中转积压造成延误，已免除运费{fee}元，并已要求网点优先处理同类快件。",
    en="Your parcel has been delivered. It was held up by a backlog at the {hub_en} hub; the shipping fee of ¥{fee} "
    "has been waived.",
    root_cause="中转站爆仓积压，未及时增派人手",
    area=RootCauseArea.SORTING,
    liable=True,
    payout="fee",
)
DELAY_ADDRESS = Outcome(
    answer="经核实，揽收网点录入地址时填错导致快件被转寄，已更正地址并加急派送，今晚送达。",
    zh="快件已送达。延误原因是网点录入地址错误，已免除运费{fee}元，网点负责人已电话向您致歉。",
    en="Your parcel has been delivered. Our branch had typed the address wrongly; the shipping fee of ¥{fee} has been "
    "waived and the branch manager has called you to apologise.",
    root_cause="收寄网点录入地址错误",
    area=RootCauseArea.PICKUP,
    liable=True,
    payout="fee",
)
DELAY_MEDICAL = Outcome(
    answer="快件因客服录入地址错误被发往{wrong_city}，已安排专人专车加急发回，今晚送达，网点负责人将登门致歉。",
    zh="医疗器材已由专人加急送达，网点负责人登门致歉并取得您的谅解；已免除运费{fee}元，相关客服人员已停岗培训。",
    en="The medical equipment was delivered by a dedicated courier; the branch manager apologised in person and the "
    "shipping fee of ¥{fee} was waived. The staff member who entered the wrong address has been retrained.",
    root_cause="客服录入地址错误，且事后无人跟进客户",
    area=RootCauseArea.CUSTOMER_SERVICE,
    liable=True,
    payout="fee",
)
DELAY_PERISHED = Outcome(
    answer="快件在{hub}滞留{stuck}天，生鲜件未走优先中转通道，我方承认责任，同意按丢失赔偿。",
    zh="延误导致{item}变质，按丢失处理：赔偿物品价值{value}元及运费{fee}元，合计{total}元，3个工作日内到账。",
    en="The delay destroyed the {item_en}, so it is treated as a loss: ¥{value} for the goods plus ¥{fee} shipping, "
    "¥{total} in total, paid within 3 working days.",
    root_cause="生鲜件未走优先中转通道，在{hub}滞留",
    area=RootCauseArea.LINEHAUL,
    liable=True,
    payout="total",
)
LOSS_FOUND = Outcome(
    answer="经调取签收记录和派件员定位，派件员{courier}未按址投递，把快件放在小区门卫处并虚假签收。快件已找回，今天重新派送。",
    zh="快件已找回并当面交到您手中。派件员未按址投递并虚假签收，已按规定处罚。",
    en="The parcel was found and handed to you in person. The courier had left it at the gatehouse and recorded a "
    "false signature; he has been disciplined.",
    root_cause="派件员未按址投递并虚假签收",
    area=RootCauseArea.DELIVERY,
    liable=True,
)
LOSS_LOST = Outcome(
    answer="快件在{hub}交接时未扫描，经全面排查仍未找到，确认丢失，我方同意赔偿。",
    zh="确认快件丢失，{comp_loss}，款项3个工作日内到账。",
    en="The parcel is confirmed lost. {comp_loss_en} The payment will arrive within 3 working days.",
    root_cause="中转环节交接未扫描导致丢失",
    area=RootCauseArea.LINEHAUL,
    liable=True,
    payout="total",
)
LOSS_SHORT = Outcome(
    answer="揽收重量与签收重量相差明显，中转环节存在拆包，已报警处理，同意按短少部分赔偿。",
    zh="确认内件短少{missing}件，按短少部分价值赔偿{partial}元，已报警处理。",
    en="We confirmed that {missing} items were missing and will pay ¥{partial} for them. The theft has been reported "
    "to the police.",
    root_cause="中转环节拆包盗窃（已报警）",
    area=RootCauseArea.LINEHAUL,
    liable=True,
    payout="partial",
)
DAMAGE_PARTIAL = Outcome(
    answer="经核实，快件在{hub}装卸时受重物挤压导致破损，责任在我方，同意按损坏部分赔偿。",
    zh="破损责任在承运方，按损坏部分价值赔偿{damage_amount}元，已向{hub}追责。",
    en="The carrier accepts that the item was damaged in handling and will pay ¥{damage_amount} for the damaged part.",
    root_cause="中转装卸操作不规范，重物挤压",
    area=RootCauseArea.SORTING,
    liable=True,
    payout="damage_amount",
)
DAMAGE_TOTAL = Outcome(
    answer="揽收网点未按易碎品要求加固包装，我方承认责任，同意按全损赔偿。",
    zh="{item}已全部损毁，按实际价值{value}元加运费{fee}元赔偿，合计{total}元。",
    en="The {item_en} cannot be repaired: we pay its value of ¥{value} plus the ¥{fee} shipping fee, ¥{total} in "
    "total.",
    root_cause="揽收时未按易碎品标准包装",
    area=RootCauseArea.PACKAGING,
    liable=True,
    payout="total",
)
DAMAGE_WET = Outcome(
    answer="快件在{hub}露天堆放时遭雨淋，我方承认责任，同意按全损赔偿。",
    zh="{item}受潮损坏，按实际价值{value}元加运费{fee}元赔偿，合计{total}元。",
    en="The {item_en} was ruined by water: we pay ¥{value} plus the ¥{fee} shipping fee, ¥{total} in total.",
    root_cause="中转场地露天堆放，未做防雨措施",
    area=RootCauseArea.SORTING,
    liable=True,
    payout="total",
)
MISMATCH_SWAPPED = Outcome(
    answer="揽收重量与签收重量相差1.6公斤，中转环节存在拆包调换，已报警处理，同意按内件价值赔偿。",
    zh="确认内件在运输途中被调换，按错货全损处理，赔偿{value}元，已报警。",
    en="The contents were swapped in transit. We treat it as a total loss and pay ¥{value}; the police have been told.",
    root_cause="中转环节拆包调换内件（已报警）",
    area=RootCauseArea.LINEHAUL,
    liable=True,
    payout="value",
)
MISMATCH_LABEL = Outcome(
    answer="分拣时面单贴错，客户收到的是另一位客户的快件，已安排派件员上门换回。",
    zh="面单贴错导致错发，已上门换回您的{item}，并免除运费{fee}元。",
    en="The labels of two parcels were swapped at sorting. We have exchanged them at your door and waived the ¥{fee} "
    "shipping fee.",
    root_cause="分拣时面单贴错",
    area=RootCauseArea.SORTING,
    liable=True,
    payout="fee",
)
MISMATCH_SENDER = Outcome(
    answer="调取揽收时的验视照片，内件在收寄时即为{wrong}，属于发件方发错货，运输环节无异常。",
    zh="经核实揽收验视照片，发件时内件即为{wrong}，属商家发错货，并非运输环节问题。已协助您联系商家退换。",
    en="The photos taken at collection show the box already contained {wrong_en}: the seller sent the wrong item. We "
    "have helped you contact the seller for an exchange.",
    root_cause="发件人发错货（非承运商责任）",
    area=RootCauseArea.COMPLAINANT,
    liable=False,
)
MISMATCH_QUANTITY = Outcome(
    answer="揽收时重量与发货单一致，派送前重量减少，判断中转环节少件，同意按短少部分赔偿。",
    zh="确认少件{missing}件，按短少部分赔偿{partial}元。",
    en="We confirmed {missing} items were missing and will pay ¥{partial} for them.",
    root_cause="中转环节少件",
    area=RootCauseArea.LINEHAUL,
    liable=True,
    payout="partial",
)
DELIVERY_LOCKER = Outcome(
    answer="已联系派件员{courier}，其承认未经同意投放快递柜，已批评教育并按规定处罚；保管费已退，今后该地址送货上门。",
    zh="派件员未经同意投放快递柜，已处罚并退还保管费，今后按您的要求送货上门。",
    en="The courier put your parcel in a locker without your consent. He has been disciplined, the storage fee has "
    "been refunded and future parcels will be brought to your door.",
    root_cause="派件员未经同意投放快递柜",
    area=RootCauseArea.DELIVERY,
    liable=True,
)
DELIVERY_NOT_TO_DOOR = Outcome(
    answer="网点承认该片区派件员长期未按址投递，已整改，并安排专人送货上门。",
    zh="已安排专人送货上门，网点已整改并承诺按址投递。",
    en="A courier brought the parcel to your door. The branch has been told to deliver to the address from now on.",
    root_cause="派件员未按址投递",
    area=RootCauseArea.DELIVERY,
    liable=True,
)
DELIVERY_WRONG_ADDRESS = Outcome(
    answer="派件员错投至隔壁小区并代签收，已找回快件并当面交给客户。",
    zh="快件已找回并送到您手中，错投并代签收的派件员已被处罚。",
    en="The parcel was found and handed to you; the courier who delivered it to the wrong block has been disciplined.",
    root_cause="派件员未按址投递，错投隔壁小区",
    area=RootCauseArea.DELIVERY,
    liable=True,
)
DELIVERY_LEFT_OUTSIDE = Outcome(
    answer="派件员未敲门、未电话联系即放在门口，属违规投递，同意赔偿受潮物品损失。",
    zh="派件员未按规定投递，已处罚；受潮物品按损失赔偿{damage_amount}元。",
    en="The courier left the parcel outside without calling. He has been disciplined and we pay ¥{damage_amount} "
    "for the damaged goods.",
    root_cause="派件员未按址投递，未电话联系即放门口",
    area=RootCauseArea.DELIVERY,
    liable=True,
    payout="damage_amount",
)
PICKUP_SHORT_STAFFED = Outcome(
    answer="网点当天人手不足未能按时揽收，已安排收件员今天下午上门，并向客户致歉。",
    zh="已重新安排上门取件并顺利揽收，赠送10元寄件券表示歉意。",
    en="A courier came and collected your parcel; we have added a ¥10 voucher to your account as an apology.",
    root_cause="网点人手不足，未按预约时间揽收",
    area=RootCauseArea.PICKUP,
    liable=True,
)
PICKUP_SYSTEM = Outcome(
    answer="预约信息未推送到收件员手机，系统问题已修复，已重新安排上门取件。",
    zh="预约系统故障导致取件单被取消，已修复并重新上门取件，向您致歉。",
    en="A fault in the booking system cancelled your pickup. It has been fixed and the parcel has been collected.",
    root_cause="预约系统未将订单推送至收件员",
    area=RootCauseArea.SYSTEMS,
    liable=True,
)
PICKUP_NO_INSPECTION = Outcome(
    answer="收件员未按规定验视和包装，网点已对快件重新加固包装并拍照留存。",
    zh="网点已对您的快件重新验视、加固包装并拍照留存，收件员已接受培训。",
    en="The branch re-checked and re-packed your parcel and kept photos; the courier has been retrained.",
    root_cause="收件员未按规定验视和包装",
    area=RootCauseArea.PICKUP,
    liable=True,
)
STAFF_COURIER = Outcome(
    answer="已约谈派件员{courier}，其承认态度不当，已扣罚并安排服务培训，网点负责人将电话向客户致歉。",
    zh="派件员态度问题属实，已处罚并安排培训，网点负责人已电话向您致歉。",
    en="We confirmed the courier's behaviour. He has been disciplined and retrained, and the branch manager has "
    "called you to apologise.",
    root_cause="派件员服务意识差，言语不当",
    area=RootCauseArea.DELIVERY,
    liable=True,
)
STAFF_CALL_CENTRE = Outcome(
    answer="经调取通话录音，客服未按流程转接和答复，已对相关人员考核。",
    zh="经核查通话录音，客服确未按规范处理，已考核并加强培训，向您诚恳致歉。",
    en="We listened to the call recordings: our agent did not follow the procedure. This has been addressed with "
    "training, and we sincerely apologise.",
    root_cause="客服未按流程转接和答复",
    area=RootCauseArea.CUSTOMER_SERVICE,
    liable=True,
)
CHARGES_EXTRA_FEE = Outcome(
    answer="经核实，网点私自加收{extra}元，已责令全额退还并通报处罚。",
    zh="违规收取的{extra}元已退还到您的账户，网点已被通报处罚。",
    en="The ¥{extra} charged without any basis has been refunded to you, and the branch has been penalised.",
    root_cause="网点私自加收费用",
    area=RootCauseArea.BILLING,
    liable=True,
    payout="extra",
)
CHARGES_STORAGE = Outcome(
    answer="驿站违规收取保管费，已要求退还并整改。",
    zh="已退还保管费{extra}元，驿站已整改，不再收取此项费用。",
    en="The storage fee of ¥{extra} has been refunded and the pickup point has stopped charging it.",
    root_cause="驿站违规收取保管费",
    area=RootCauseArea.BILLING,
    liable=True,
    payout="extra",
)
CHARGES_WEIGHT = Outcome(
    answer="复核称重实际为1.2公斤，揽收时多计重量，多收的{extra}元已退还。",
    zh="经复核称重，多收的{extra}元已退还，揽收网点的电子秤已校准。",
    en="The parcel was re-weighed; the ¥{extra} overcharge has been refunded and the branch's scale recalibrated.",
    root_cause="揽收称重不准，多计重量",
    area=RootCauseArea.BILLING,
    liable=True,
    payout="extra",
)
COD_LATE = Outcome(
    answer="代收货款因网点财务未按时结算而滞留，已于今天打款，预计1-2个工作日到账。",
    zh="代收货款{value}元已返还到您的结算账户，网点财务已被考核。",
    en="The cash-on-delivery payment of ¥{value} has been paid into your account.",
    root_cause="网点财务未按时回款",
    area=RootCauseArea.BILLING,
    liable=True,
)
COD_AMOUNT = Outcome(
    answer="系统代收金额录入错误，已更正，差额{extra}元今天补付。",
    zh="代收金额录入错误已更正，差额{extra}元已补付到您的账户。",
    en="The collection amount had been entered wrongly; the missing ¥{extra} has been paid to you.",
    root_cause="系统代收金额录入错误",
    area=RootCauseArea.SYSTEMS,
    liable=True,
)
OTHER_PHONE = Outcome(
    answer="派件员手机号已更换，系统未同步，现已更新并安排派件员主动联系客户。",
    zh="派件员联系电话已更正，快件已送达，系统信息同步问题已反馈技术部门。",
    en="The courier's phone number has been corrected and your parcel delivered.",
    root_cause="系统派件员信息未及时更新",
    area=RootCauseArea.SYSTEMS,
    liable=True,
)
OTHER_SUGGESTION = Outcome(
    answer="已记录客户建议，反馈至运营部门。",
    zh="感谢您的建议，已反馈至运营部门，派送前短信预约功能正在您所在片区试点。",
    en="Thank you for the suggestion; it has been passed on, and booking a delivery slot by SMS is being piloted in "
    "your area.",
    root_cause="建议类：已反馈运营和产品部门",
    area=RootCauseArea.OTHER,
    liable=False,
)
OTHER_SMELL = Outcome(
    answer="已检查网点作业环境，禁止在作业区吸烟，已对网点通报。",
    zh="已要求网点整改作业环境，作业区全面禁烟，向您致歉。",
    en="The branch has been told to clean up its work area and to ban smoking there. We apologise.",
    root_cause="网点作业环境管理不到位",
    area=RootCauseArea.PICKUP,
    liable=True,
)
OTHER_WEBSITE = Outcome(
    answer="官网查询接口故障已修复，快件轨迹已恢复显示。",
    zh="查询系统故障已修复，您的快件轨迹已可正常查询，快件已送达。",
    en="The tracking fault has been fixed; your parcel's history shows again and it has been delivered.",
    root_cause="官网查询系统故障",
    area=RootCauseArea.SYSTEMS,
    liable=True,
)

SCENARIOS: tuple[Scenario, ...] = (
    # --- delay
    Scenario(
        "delay_hub",
        Category.DELAY,
        zh=(
            "{days}天前在{carrier}寄的{item}，到现在还没送到。物流信息停在{hub}已经{stuck}天没有更新，打客服电话只说在中转，"
            "没有任何具体答复。请尽快查清楚快件在哪里、什么时候能送到。",
            "承诺次日达的{item}，今天已经是第{days}天了还在路上。{hub}显示“已发出”之后就再没有记录，东西是急用的，请给个明确的送达时间。",
        ),
        en=(
            "My parcel ({item_en}) was promised for next-day delivery, but it has been stuck at the {hub_en} hub for "
            "{stuck} days and the tracking has not changed since. Please tell me where it is and when it will arrive.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(DELAY_SORTING, DELAY_BACKLOG),
        weight=5,
    ),
    Scenario(
        "delay_address",
        Category.DELAY,
        zh=(
            "寄往{city}的{item}延误了{days}天。中途快件被退回过一次，说是地址有问题，可我填的地址完全正确，后来才知道是网点录入时填错了。"
            "耽误了这么多天，也没有人主动联系过我。",
        ),
        en=(
            "My parcel to {city_en} is {days} days late. It was sent back once because of an 'address problem', but "
            "the address I gave was correct: your branch typed it wrongly. Nobody contacted me about it.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(DELAY_ADDRESS,),
        weight=2,
    ),
    Scenario(
        "delay_medical",
        Category.DELAY,
        zh=(
            "寄给{city}家人的{item}是治疗急需的医疗器材，原定昨天送达，到现在还没到。查询后才知道是工作人员把地址填错了，"
            "快件被发到了{wrong_city}。事后联系客服，转了几次电话都找不到负责的人。病人在等着用，耽误治疗谁负责？请立即加急处理！",
            "{item}是医院开的，病人每天都要用。快递已经延误{days}天，物流停在{hub}不动。我已经打了五次电话，每次都说“会加急”，"
            "但没有任何进展。请马上处理并给我回电。",
        ),
        en=(
            "I am waiting for {item_en} that my doctor prescribed. The parcel is {days} days late and customer service "
            "keeps telling me it is 'being expedited'. I need it for my treatment: please deal with it today.",
        ),
        items=(
            ("胰岛素注射笔及配件", "insulin pens and supplies", 800, 2500),
            ("家用制氧机", "a home oxygen concentrator", 2800, 6800),
            ("康复理疗仪", "a physiotherapy device", 1500, 8800),
            ("术后固定护具", "a post-surgery brace", 600, 1800),
        ),
        outcomes=(DELAY_MEDICAL,),
        medical=True,
    ),
    Scenario(
        "delay_perished",
        Category.DELAY,
        zh=("寄的是{item}，生鲜冷链件，说好48小时内送到，结果用了{days}天，收到时已经全部变质，只能扔掉。要求赔偿。",),
        en=("The {item_en} I sent by cold-chain express took {days} days instead of 48 hours and arrived spoiled.",),
        items=(
            ("阳澄湖大闸蟹", "live hairy crabs", 398, 1280),
            ("新鲜荔枝", "fresh lychees", 168, 460),
            ("冷冻牛排", "frozen steaks", 260, 880),
        ),
        outcomes=(DELAY_PERISHED,),
    ),
    Scenario(
        "delay_documents",
        Category.DELAY,
        zh=(
            "{item}必须在明天下午五点前送到{city}，下单时选的是次日达，结果第三天还在{hub}中转。赶不上截止时间损失巨大，请务必加急。",
        ),
        en=(
            "The {item_en} had to reach {city_en} by 5 pm tomorrow. I paid for next-day delivery, yet on day three "
            "it is still in transit at {hub_en}.",
        ),
        items=(
            ("投标文件", "tender documents", 20, 100),
            ("签证材料", "visa application documents", 20, 100),
            ("合同原件", "signed original contracts", 20, 100),
        ),
        outcomes=(DELAY_SORTING, DELAY_BACKLOG),
    ),
    # --- loss
    Scenario(
        "loss_signed",
        Category.LOSS,
        zh=(
            "物流显示{days}天前已签收，但我本人和家人都没有收到，也没有人给我打过电话。快递里是{item}，价值{value}元。"
            "签收人写的是“本人”，根本不是我签的。",
        ),
        en=(
            "Tracking says my parcel was delivered and signed for {days} days ago, but nobody in my household received "
            "it and nobody called me. It contained {item_en} worth about ¥{value}. The signature is not mine.",
        ),
        items=(
            ("笔记本电脑", "a laptop", 4999, 12999),
            ("手机", "a mobile phone", 1999, 8999),
            ("护肤品套装", "a skincare set", 299, 1899),
            ("运动鞋", "a pair of trainers", 399, 1299),
        ),
        outcomes=(LOSS_FOUND, LOSS_LOST),
        weight=3,
    ),
    Scenario(
        "loss_transit",
        Category.LOSS,
        zh=(
            "{item}在{hub}扫描之后就再也没有物流记录了，已经{stuck}天。派件员说可能丢了，让我自己找客服，客服又让我再等等。"
            "请给我一个明确的处理方案。",
        ),
        en=(
            "My parcel ({item_en}) was last scanned at {hub_en} {stuck} days ago and has not moved since. The courier "
            "says it may be lost. What are you going to do about it?",
        ),
        items=(
            ("单反相机镜头", "a camera lens", 2999, 14999),
            ("平板电脑", "a tablet", 2499, 5999),
            ("羽绒服", "a down jacket", 399, 1599),
        ),
        outcomes=(LOSS_LOST,),
        weight=2,
    ),
    Scenario(
        "loss_short",
        Category.LOSS,
        zh=("收到的箱子明显被拆开重新封过，里面的{item}少了{missing}件（一共{qty}件），箱子重量也和寄件时对不上。",),
        en=("The box had clearly been opened and re-taped: {missing} of the {qty} {item_en} were missing.",),
        items=(
            ("瓶装护肤品", "bottles of skincare products", 600, 2400),
            ("罐装茶叶", "tins of tea", 400, 1800),
            ("盒装保健品", "boxes of supplements", 500, 2600),
        ),
        outcomes=(LOSS_SHORT,),
    ),
    # --- damage
    Scenario(
        "damage_ceramics",
        Category.DAMAGE,
        zh=(
            "收到的{item}外箱严重变形，里面碎了{missing}件。寄件时已经说明是易碎品，也付了包装费加了泡沫，还是碎成这样。",
            "寄出的{item}到了对方手里全碎了，外箱一角明显被压扁。网点收件时说包装没问题，现在出了事就推给我。",
        ),
        en=(
            "The {item_en} arrived broken: the box was crushed on one side although it was clearly marked fragile. "
            "{missing} pieces are beyond repair.",
        ),
        items=(
            ("景德镇陶瓷茶具", "Jingdezhen ceramic tea set", 299, 2800),
            ("青花瓷花瓶", "blue-and-white porcelain vase", 680, 6800),
            ("手工陶瓷餐具", "handmade ceramic tableware", 260, 1600),
        ),
        outcomes=(DAMAGE_PARTIAL, DAMAGE_TOTAL),
        weight=3,
    ),
    Scenario(
        "damage_no_inspection",
        Category.DAMAGE,
        zh=("派件员送货时不让当面开箱验货，放下就走了。我打开发现{item}已经损坏，外箱有明显被重物压过的痕迹。",),
        en=(
            "The courier would not let me open the box in front of him and left. Inside, the {item_en} was broken and "
            "the box had clearly been crushed by something heavy.",
        ),
        items=(
            ("显示器", "computer monitor", 899, 3499),
            ("电视机", "television", 1999, 6999),
            ("红酒", "bottles of red wine", 298, 1980),
        ),
        outcomes=(DAMAGE_PARTIAL, DAMAGE_TOTAL),
        weight=2,
    ),
    Scenario(
        "damage_wet",
        Category.DAMAGE,
        zh=("{item}运输途中被水泡了，外包装有水渍和破口，东西已经不能用了。要求按实际价值赔偿。",),
        en=("The {item_en} got soaked in transit: the box has water stains and a tear, and the contents are ruined.",),
        items=(
            ("书籍", "books", 120, 600),
            ("羊毛地毯", "wool rug", 800, 3200),
            ("纸质档案资料", "paper archives", 50, 200),
        ),
        outcomes=(DAMAGE_WET,),
    ),
    # --- contents not as shipped
    Scenario(
        "mismatch_swapped",
        Category.CONTENTS_MISMATCH,
        zh=("打开包裹发现里面不是我买的{item}，而是一袋旧衣服。箱子有二次封装的胶带，怀疑中途被调包。",),
        en=(
            "Instead of the {item_en} I ordered, the box contained a bag of old clothes. It had been re-taped; I think "
            "it was swapped in transit.",
        ),
        items=(
            ("蓝牙耳机", "wireless earbuds", 299, 1899),
            ("平板电脑", "tablet", 2499, 5999),
            ("品牌手表", "watch", 1200, 5800),
        ),
        outcomes=(MISMATCH_SWAPPED,),
        weight=2,
    ),
    Scenario(
        "mismatch_label",
        Category.CONTENTS_MISMATCH,
        zh=("包裹面单上是我的名字和电话，但里面装的是{wrong}，根本不是我买的{item}。",),
        en=("The label has my name, but the box contained {wrong_en} instead of the {item_en} I ordered.",),
        items=(
            ("茶叶礼盒", "tea gift box", 198, 1500),
            ("儿童奶粉", "baby formula", 198, 680),
            ("电动牙刷", "electric toothbrush", 199, 899),
        ),
        outcomes=(MISMATCH_LABEL, MISMATCH_SENDER),
    ),
    Scenario(
        "mismatch_quantity",
        Category.CONTENTS_MISMATCH,
        zh=("下单的是{qty}件{item}，收到只有{qty_received}件，外包装完好但重量明显不对。",),
        en=(
            "I ordered {qty} {item_en} but only {qty_received} arrived; the box looked intact but was clearly too "
            "light.",
        ),
        items=(
            ("盒装面膜", "boxes of face masks", 300, 1200),
            ("儿童绘本", "children's picture books", 150, 600),
        ),
        outcomes=(MISMATCH_QUANTITY,),
    ),
    # --- delivery service
    Scenario(
        "delivery_locker",
        Category.DELIVERY_SERVICE,
        zh=(
            "快递员没有经过我同意就把包裹放进了{locker}，没有打电话也没有发消息。我第二天才看到取件码，超时还被收了保管费。"
            "我下单时明确备注了送货上门。",
        ),
        en=(
            "The courier left my parcel in a {locker_en} without asking me, although I had asked for delivery to my "
            "door. I only found out the next day and had to pay a storage fee.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(DELIVERY_LOCKER,),
        weight=3,
    ),
    Scenario(
        "delivery_not_to_door",
        Category.DELIVERY_SERVICE,
        zh=(
            "派件员从来不送货上门，每次都直接放在{station}，电话里还说“我们这片都这样”。家里只有老人，腿脚不方便，没法下楼去取。",
        ),
        en=(
            "The courier never delivers to the door and always drops parcels at the {station_en}. My elderly parents "
            "live here and cannot go and collect them.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(DELIVERY_NOT_TO_DOOR,),
        weight=2,
    ),
    Scenario(
        "delivery_wrong_address",
        Category.DELIVERY_SERVICE,
        zh=("地址写的是{compound}{building}栋{unit}室，包裹却被投到了隔壁小区，还显示“本人签收”。我找了两天才找到。",),
        en=(
            "My address is flat {unit}, building {building}, but the parcel was delivered to the next estate and "
            "marked as signed by me. It took me two days to find it.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(DELIVERY_WRONG_ADDRESS,),
    ),
    Scenario(
        "delivery_left_outside",
        Category.DELIVERY_SERVICE,
        zh=("派件员把包裹放在门口就走了，没有敲门也没有打电话，结果包裹被雨淋湿，里面的{item}泡坏了。",),
        en=(
            "The courier left the parcel outside my door without knocking or calling; it rained and the {item_en} got "
            "soaked.",
        ),
        items=(("书籍", "books", 120, 600), ("网购衣物", "clothes", 129, 699)),
        outcomes=(DELIVERY_LEFT_OUTSIDE,),
    ),
    # --- collection service
    Scenario(
        "pickup_no_show",
        Category.PICKUP_SERVICE,
        zh=(
            "预约了今天上午九点到十二点上门取件，等了一整天没有人来，系统却显示“已取消”，没有任何人通知我。",
            "约好下午上门取件寄{item}，收件员一直没来，打电话也不接，害我错过了退货期限。",
        ),
        en=(
            "I booked a pickup for this morning to return {item_en}. Nobody came, and the booking was cancelled "
            "without any notice. I have now missed the return deadline.",
        ),
        items=(("退货包裹", "a return parcel", 99, 799), ("样品", "product samples", 50, 500)),
        outcomes=(PICKUP_SHORT_STAFFED, PICKUP_SYSTEM),
        weight=2,
    ),
    Scenario(
        "pickup_refused",
        Category.PICKUP_SERVICE,
        zh=("连续两天预约上门取件，收件员都说“忙不过来”，让我自己把{item}送到网点，可网点离我家有五公里。",),
        en=(),
        items=(("退货包裹", "a return parcel", 99, 799), ("家电配件", "appliance parts", 89, 799)),
        outcomes=(PICKUP_SHORT_STAFFED,),
    ),
    Scenario(
        "pickup_no_inspection",
        Category.PICKUP_SERVICE,
        zh=("收件员上门后不验视物品，也不提供包装，直接把{item}塞进袋子里就走了，我很担心运输途中会损坏。",),
        en=("The courier who collected my {item_en} did not check or pack it; he just put it in a bag and left.",),
        items=(("景德镇陶瓷茶具", "ceramic tea set", 299, 1800), ("显示器", "monitor", 899, 2999)),
        outcomes=(PICKUP_NO_INSPECTION,),
    ),
    # --- staff attitude
    Scenario(
        "staff_courier_phone",
        Category.STAFF_ATTITUDE,
        zh=(
            "打电话问快递什么时候能送，派件员{courier}在电话里非常不耐烦，说“不想要就退回去”，然后直接挂了电话。",
            "派件员{courier}电话里态度恶劣，我只是问能不能送上楼，他就开始骂人。",
        ),
        en=(
            "The courier was extremely rude on the phone: he shouted at me when I asked him to bring the parcel to my "
            "door, and then hung up.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(STAFF_COURIER,),
        weight=3,
    ),
    Scenario(
        "staff_call_centre",
        Category.STAFF_ATTITUDE,
        zh=("客服态度很差，我反映问题，对方一直打断我，说“这不归我们管”，转了三次电话，最后没人接。",),
        en=(
            "Your hotline agent kept interrupting me, said it was 'not our problem' and transferred me three times "
            "until nobody answered.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(STAFF_CALL_CENTRE,),
    ),
    Scenario(
        "staff_thrown",
        Category.STAFF_ATTITUDE,
        zh=("派件员送货时态度恶劣，因为我请他送上楼就骂骂咧咧，还把包裹直接扔在地上。",),
        en=(),
        items=_GENERAL_ITEMS,
        outcomes=(STAFF_COURIER,),
    ),
    # --- improper charges
    Scenario(
        "charges_stairs",
        Category.IMPROPER_CHARGES,
        zh=("到付运费被多收了{extra}元，派件员说是“上楼费”，不给就不送。",),
        en=(),
        items=_GENERAL_ITEMS,
        outcomes=(CHARGES_EXTRA_FEE,),
    ),
    Scenario(
        "charges_storage",
        Category.IMPROPER_CHARGES,
        zh=("驿站取件要求交{extra}元保管费，说是“超过24小时”，可取件短信是昨晚十点才发的。",),
        en=(
            "The pickup point charged me ¥{extra} for 'storage' although the collection text only arrived last night.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(CHARGES_STORAGE,),
    ),
    Scenario(
        "charges_weight",
        Category.IMPROPER_CHARGES,
        zh=("寄件时网点称重多报了两公斤，多收了{extra}元，我自己在家称过只有1.2公斤。",),
        en=(),
        items=_GENERAL_ITEMS,
        outcomes=(CHARGES_WEIGHT,),
    ),
    Scenario(
        "charges_remote",
        Category.IMPROPER_CHARGES,
        zh=("派件时被要求加付{extra}元“偏远地区费”，可我住在{city}市中心，下单时也没有任何说明。",),
        en=(
            "I was charged ¥{extra} extra on delivery as a 'remote area fee', although I live in central {city_en}. "
            "Nobody mentioned this fee when I booked.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(CHARGES_EXTRA_FEE,),
    ),
    # --- cash on delivery
    Scenario(
        "cod_late",
        Category.COD,
        zh=(
            "我是网店卖家，{days}天前通过{carrier}代收货款{value}元，买家已经签收付款，可货款到现在还没有返到我的账户。",
            "代收货款{value}元已经超过结算周期{days}天，网点一直说财务在处理，小本生意经不起这样压款。",
        ),
        en=(
            "I run a small online shop. Cash on delivery of ¥{value} was collected from my customer {days} days ago "
            "but has still not been paid out to me.",
        ),
        items=(("网店商品", "goods from my online shop", 300, 3800),),
        outcomes=(COD_LATE,),
        weight=2,
    ),
    Scenario(
        "cod_partial",
        Category.COD,
        zh=("代收货款的单子买家付了{value}元，网点只给我结算了一部分，差额{extra}元一直说在核对，已经拖了{days}天。",),
        en=(),
        items=(("网店商品", "goods from my online shop", 300, 3800),),
        outcomes=(COD_AMOUNT,),
    ),
    # --- other
    Scenario(
        "other_phone",
        Category.OTHER,
        zh=("物流信息上派件员的电话是空号，包裹一直显示“派送中”，我完全联系不上人。",),
        en=(
            "The courier's phone number in the tracking is not in service and the parcel has shown 'out for "
            "delivery' for two days.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(OTHER_PHONE,),
    ),
    Scenario(
        "other_suggestion",
        Category.OTHER,
        zh=("建议：希望派送前能用短信预约时间，我白天上班，经常错过快递，只能一次次改约。",),
        en=(
            "Suggestion: please let us choose a delivery slot by SMS before delivery. I work during the day and keep "
            "missing the courier.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(OTHER_SUGGESTION,),
    ),
    Scenario(
        "other_smell",
        Category.OTHER,
        zh=("收到的快递包装有很重的烟味，里面的衣服都沾上了味道，希望网点注意作业环境。",),
        en=(),
        items=(("网购衣物", "clothes", 129, 699),),
        outcomes=(OTHER_SMELL,),
    ),
    Scenario(
        "other_website",
        Category.OTHER,
        zh=("官网查询物流一直显示“系统繁忙”，人工客服排队一个小时也没接通，我的快件到底在哪里？",),
        en=(
            "Your tracking page has shown 'system busy' for a week and the online chat cannot help. Please give me a "
            "person I can talk to about this parcel.",
        ),
        items=_GENERAL_ITEMS,
        outcomes=(OTHER_WEBSITE,),
    ),
)

REPEAT_SAME_WAYBILL_ZH = (
    "这是我第二次投诉运单{waybill}了。上次说三天内给答复，到现在没有任何消息，问题也没有解决。再不处理我就向邮政管理局申诉。",
    "又打电话了，运单{waybill}的问题还是没有解决，每次都让我等，到底有没有人在管？",
)
REPEAT_SAME_WAYBILL_EN = (
    "This is my second complaint about the same parcel ({waybill}). I was promised an answer within three days and "
    "have heard nothing since.",
)

ISSUE_ZH = {
    Category.DELAY: "延误",
    Category.LOSS: "丢失",
    Category.DAMAGE: "破损",
    Category.CONTENTS_MISMATCH: "内件不符",
    Category.DELIVERY_SERVICE: "投递",
    Category.PICKUP_SERVICE: "上门取件",
    Category.STAFF_ATTITUDE: "服务态度",
    Category.IMPROPER_CHARGES: "收费",
    Category.COD: "代收货款",
    Category.OTHER: "相关",
}
ASK_EN = {
    Category.DELAY: "check where the parcel is, expedite it and tell us when it will arrive",
    Category.LOSS: "pull the delivery record, the courier's location and the signature photo",
    Category.DAMAGE: "check the weighing and handling records and confirm who is liable",
    Category.CONTENTS_MISMATCH: "compare the collection weight and contents record and check for tampering",
    Category.DELIVERY_SERVICE: "check how the parcel was delivered and redeliver it to the door",
    Category.PICKUP_SERVICE: "send a courier today and explain why the pickup was cancelled",
    Category.STAFF_ATTITUDE: "check the courier's conduct and apologise to the customer",
    Category.IMPROPER_CHARGES: "check the basis of the charge and refund anything charged improperly",
    Category.COD: "check the settlement of the collected amount and pay it out",
    Category.OTHER: "look into it",
}
HANDOVER_ZH = {
    Category.DELAY: "已转交{carrier}：请核实快件当前位置，加急派送，并告知预计送达时间。",
    Category.LOSS: "已转交{carrier}：请调取签收记录、派件员轨迹和签收照片，核实快件去向。",
    Category.DAMAGE: "已转交{carrier}：请核实揽收和中转环节的称重与装卸记录，确认破损责任。",
    Category.CONTENTS_MISMATCH: "已转交{carrier}：请核对揽收时的重量与内件记录，排查中转环节是否有拆包。",
    Category.DELIVERY_SERVICE: "已转交{carrier}：请联系派件网点核实投递方式，安排重新送货上门。",
    Category.PICKUP_SERVICE: "已转交{carrier}：请网点今天内安排收件员上门取件，并说明取消原因。",
    Category.STAFF_ATTITUDE: "已转交{carrier}：请核实派件员服务情况，向客户致歉并反馈处理结果。",
    Category.IMPROPER_CHARGES: "已转交{carrier}：请核实收费依据，违规收取的费用须退还客户。",
    Category.COD: "已转交{carrier}：请财务核实代收货款{value}元的结算状态，尽快返款。",
    Category.OTHER: "已转交{carrier}：请核实情况并于24小时内回复。",
}
HANDOVER_MEDICAL_ZH = "已转交{carrier}（医疗急件）：请立即核实快件位置，安排专人专车加急派送，2小时内回复。"
HANDOVER_EN = "Passed to {carrier_en}: please {ask} and reply within 24 hours."

ACK_AUTO_ZH = "系统自动回执：您的投诉已登记，客服将在24小时内与您联系。"
ACK_AUTO_EN = "Automatic receipt: your complaint has been registered and an agent will contact you within 24 hours."
FIRST_REPLY_ZH = (
    "{salutation}您好，我是客服{agent}。您反映的运单{waybill}{issue}问题已收到，非常抱歉给您添麻烦了。我们已联系{carrier}核实情况，"
    "{by}前给您回复进展。",
    "{salutation}您好，您的投诉由我（{agent}）全程负责跟进。目前正在和{carrier}核实{issue}的具体情况，有进展会第一时间通知您，"
    "请保持电话畅通。",
    "{salutation}您好，非常理解您的心情，给您带来的不便我们深表歉意。运单{waybill}的情况我已经在查，{by}前一定给您明确答复。",
)
FIRST_REPLY_EN = (
    "Dear {salutation}, thank you for contacting us about waybill {waybill}, and I am sorry for the trouble. I'm "
    "{agent} and I will follow your complaint until it is resolved. We have asked {carrier_en} to check what "
    "happened and will update you by {by}.",
    "Dear {salutation}, I understand your frustration and apologise. I am looking into waybill {waybill} with "
    "{carrier_en} now and will come back to you by {by} with a concrete answer.",
)
BY_ZH = ("今天18点", "今天下班", "明天上午10点", "今晚8点")
BY_EN = ("6 pm today", "the end of today", "10 am tomorrow")
PROGRESS_ZH = (
    "{salutation}您好，跟您同步一下进展：{carrier}已经回复了核查结果，我们正在确认处理方案，今天内给您最终答复。",
    "{salutation}您好，{carrier}正在调取相关记录，预计明天上午有结果，届时第一时间告诉您。",
    "{salutation}您好，处理方案正在走审批流程，预计24小时内完成，完成后马上通知您。",
)
PROGRESS_EN = (
    "Dear {salutation}, an update: {carrier_en} has replied and we are confirming the solution with them. You will "
    "hear from us again today.",
    "Dear {salutation}, {carrier_en} is pulling the delivery records. We expect their answer tomorrow morning and "
    "will let you know straight away.",
)
ASK_CUSTOMER_ZH = {
    Category.DAMAGE: "为了尽快为您申请赔偿，请提供外包装和破损物品的照片，以及购买凭证（订单截图或发票）。",
    Category.LOSS: "请提供物品价值凭证（订单截图或发票），以便我们核定赔偿金额。",
    Category.CONTENTS_MISMATCH: "请提供开箱视频或照片，以及商品订单截图，方便我们核实内件。",
    Category.COD: "请提供代收货款对账单和收款账户信息，以便财务核对。",
    Category.IMPROPER_CHARGES: "请提供付款截图或收据，方便我们核实收费金额。",
}
ASK_CUSTOMER_ZH_DEFAULT = "请告诉我们方便收件的时间段和详细地址（楼栋门牌号），我们安排重新派送。"
ASK_CUSTOMER_EN = {
    Category.DAMAGE: "To claim compensation for you, please send photos of the box and the damaged item, and the "
    "receipt or order screenshot.",
    Category.LOSS: "Please send proof of the item's value (order screenshot or invoice) so we can settle the claim.",
    Category.CONTENTS_MISMATCH: "Please send the unboxing video or photos and a screenshot of your order.",
    Category.COD: "Please send the cash-on-delivery statement and the account the money should be paid into.",
    Category.IMPROPER_CHARGES: "Please send a screenshot or receipt of the payment so we can check the amount.",
}
ASK_CUSTOMER_EN_DEFAULT = "Please tell us when you are at home and your full address (building and flat number)."
SUPPLIED_ZH = "已收到您补充的材料，谢谢配合，我们正在核实，会尽快给您结果。"
SUPPLIED_EN = "Thank you, we have received what you sent and are checking it now."
BACK_FROM_CARRIER_ZH = "承运商已回复，正在确认处理方案。"
BACK_FROM_CARRIER_EN = "The carrier has answered; we are confirming the solution."
REOPEN_REPLY_ZH = (
    "{salutation}您好，非常抱歉之前的处理没有让您满意。您的投诉已由{agent}重新跟进，我们会重新核实，24小时内给您答复。"
)
REOPEN_REPLY_EN = (
    "Dear {salutation}, I am sorry our answer did not settle this. I'm {agent} and I am taking your complaint up "
    "again; you will hear from me within 24 hours."
)
FOLLOW_UP_ZH = "经复核，已与{carrier}和财务再次确认，处理结果已全部落实，再次向您致歉。"
FOLLOW_UP_EN = "After your feedback we checked again with {carrier_en} and our finance team: everything is now settled."

NOTES_ZH = (
    "已电话联系客户，客户情绪比较激动，要求今天给出处理结果。",
    "查询轨迹：最后一次扫描在{hub}，之后无记录。",
    "已与{carrier}网点负责人电话确认，对方承诺今天内回复。",
    "客户表示如果明天还没有结果就向12305申诉，注意跟进。",
    "客户已提供照片和订单截图，已上传到共享盘。",
    "同类问题本周第三起，已汇总报主管。",
    "客户白天不方便接电话，约定晚上7点后联系。",
    "客户同意等待承运商核查结果，明天上午回访。",
)
RISK_NOTES_ZH = {
    "medical": "医疗急件，按高风险处理：每4小时跟进一次，直到送达。",
    "social_media": "客户已在微博发帖曝光，转发量在上升，已报主管，对外回复统一口径。",
    "regulator": "12305申诉件，须在7日内办结并回复邮政管理局。",
    "high_value": "申报价值超过高价值阈值，赔偿需主管审批。",
    "repeat": "重复投诉：客户30天内已投诉过，优先处理，避免再次升级。",
}
ESCALATE_REASON_ZH = {
    Channel.SOCIAL_MEDIA: "客户已在微博曝光，阅读量持续上升，升级至投诉中心统一口径处理。",
    Channel.REGULATOR: "12305申诉件，邮政管理局要求限期回复，升级至投诉中心跟进。",
}
APPROVAL_NOTE_ZH = "主管审批：赔偿金额{amount}元超出坐席审批权限（500元），同意按方案执行。"
UPDATE_NOTE_ZH = "客户补充了购买凭证，申报价值更正为{value}元。"
# Dissatisfied survey answers: about the money when money was promised, else about the service.
SURVEY_LOW_MONEY_ZH = ("款项到现在还没到账，所谓的处理就是敷衍。", "说好3个工作日到账，一个星期了还没收到。")
SURVEY_LOW_MONEY_EN = ("The money still has not arrived.", "I was told three working days; it has been a week.")
SURVEY_LOW_ZH = (
    "只是口头道歉，问题没有真正解决。",
    "说好的回电一直没有打，不满意。",
    "处理太慢，中间没有人主动联系我。",
)
SURVEY_LOW_EN = ("Just an apology; nothing was actually fixed.", "Nobody called me back as promised.")
SURVEY_LOW_DELIVERY_ZH = ("派件员第二天又把包裹放进快递柜了，问题根本没解决。", "下一个快递还是放在驿站，没有送上门。")
SURVEY_LOW_DELIVERY_EN = ("Nothing changed: my next parcel was left in the locker again.",)
SURVEY_HIGH_ZH = ("处理很及时，谢谢客服。", "问题解决了，态度很好。", "", "比预期快，满意。")
SURVEY_HIGH_EN = ("Quick and polite, thank you.", "", "Sorted in the end, thanks.")
SURVEY_MID_ZH = ("解决了，就是过程有点慢。", "")
SURVEY_MID_EN = ("Solved, but it took a while.",)
REOPEN_REASON_MONEY_ZH = ("客户来电反映款项至今未到账，要求重新处理。",)
REOPEN_REASON_MONEY_EN = ("The customer called back: the money has not arrived.",)
REOPEN_REASON_ZH = ("客户来电：约定的处理没有兑现，要求重新处理。", "客户反映问题再次发生，之前的处理没有落实。")
REOPEN_REASON_EN = ("The customer wrote again: what we promised did not happen.",)


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

CATEGORY_WEIGHTS = {
    Category.DELAY: 22,
    Category.LOSS: 10,
    Category.DAMAGE: 12,
    Category.CONTENTS_MISMATCH: 6,
    Category.DELIVERY_SERVICE: 17,
    Category.PICKUP_SERVICE: 6,
    Category.STAFF_ATTITUDE: 9,
    Category.IMPROPER_CHARGES: 7,
    Category.COD: 5,
    Category.OTHER: 6,
}
CHANNEL_WEIGHTS = {
    Channel.PHONE: 30,
    Channel.WEB: 24,
    Channel.EMAIL: 14,
    Channel.PLATFORM: 10,
    Channel.PARTNER_API: 12,
    Channel.SOCIAL_MEDIA: 5,
    Channel.REGULATOR: 5,
}
# How likely a complaint on each channel is from an English speaker.
ENGLISH_SHARE = {Channel.EMAIL: 0.4, Channel.WEB: 0.2, Channel.SOCIAL_MEDIA: 0.1, Channel.PHONE: 0.04}
CARRIER_WEIGHTS = (("ZTO", 45), ("SF", 30), ("KY", 20), (None, 5))
INSURED_SHARE = {"ZTO": 0.1, "SF": 0.4, "KY": 0.5, None: 0.0}


# --- The plan (independent of the time it runs) ---------------------------------------------------------------------


@dataclass
class Planned:
    index: int
    scenario: Scenario
    outcome: Outcome
    category: str
    channel: str
    language: str
    carrier_code: str | None
    waybill: str
    description: str
    name: str
    salutation: str
    phone: str
    email: str
    contact_channel: str
    value: Decimal
    declared_at_intake: Decimal
    insured: Decimal
    fee: Decimal
    priority: str
    medical: bool
    days_ago: int
    minute_of_day: int
    second: int
    ctx: dict[str, Any] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    repeat_of: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.waybill, self.description)

    @property
    def english(self) -> bool:
        return self.language == Language.EN


def _money(value: Decimal | int | float | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _weighted(rng: random.Random, pairs):
    values = [value for value, _weight in pairs]
    weights = [weight for _value, weight in pairs]
    return rng.choices(values, weights=weights, k=1)[0]


def _spread(rng: random.Random, weights: dict[str, int], n: int) -> list[str]:
    """n values in proportion to the weights, each at least once, in a shuffled order."""
    total = sum(weights.values())
    counts = {value: max(1, weight * n // total) for value, weight in weights.items()}
    by_weight = sorted(weights, key=lambda value: -weights[value])
    i = 0
    while sum(counts.values()) < n:
        counts[by_weight[i % len(by_weight)]] += 1
        i += 1
    values = [value for value, count in counts.items() for _ in range(count)]
    rng.shuffle(values)
    return values


def _waybill(rng: random.Random, carrier_code: str | None) -> str:
    if carrier_code == "ZTO":  # 12 digits starting with 7
        return f"7{rng.choice('3568')}{rng.randrange(10**10):010d}"
    if carrier_code == "SF":  # SF + 13 digits
        return f"SF1{rng.choice('345')}{rng.randrange(10**11):011d}"
    if carrier_code == "KY":  # KY + 12 digits
        return f"KY{rng.choice('4568')}{rng.randrange(10**11):011d}"
    return f"YT{rng.choice(('63', '65', '78'))}{rng.randrange(10**11):011d}"  # YTO, not a partner carrier


def _fee(rng: random.Random, carrier_code: str | None) -> Decimal:
    low, high = {"ZTO": (8, 22), "SF": (13, 48), "KY": (45, 380), None: (8, 18)}[carrier_code]
    return _money(rng.randrange(low, high + 1))


def _plan_one(index: int, category: str, channel: str) -> Planned:
    rng = random.Random(f"{SEED}/complaint/{index}")
    carrier_code = _weighted(rng, CARRIER_WEIGHTS)
    if channel == Channel.PARTNER_API and carrier_code is None:
        carrier_code = "ZTO"  # a partner API complaint always comes from a carrier
    language = Language.EN if rng.random() < ENGLISH_SHARE.get(channel, 0.0) else Language.ZH_HANS
    scenarios = [s for s in SCENARIOS if s.category == category and (language == Language.ZH_HANS or s.en)]
    scenario = _weighted(rng, [(s, s.weight) for s in scenarios])
    outcome = rng.choice(scenario.outcomes)

    if language == Language.EN:
        first, last, gender = rng.choice(ENGLISH_NAMES)
        name = f"{first} {last}"
        salutation = f"{'Ms' if gender == 'F' else 'Mr'} {last}"
        email = f"{first}.{last}@{rng.choice(MAIL_DOMAINS_EN)}".lower()
        phone = _mobile(rng) if rng.random() < 0.5 else ""
        contact_channel = ContactChannel.EMAIL
    else:
        surname = rng.choice(SURNAMES)
        male = rng.random() < 0.5
        name = surname + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
        salutation = surname + ("先生" if male else "女士")
        phone = _mobile(rng)
        wants_email = channel == Channel.EMAIL or rng.random() < 0.15
        email = f"{rng.randrange(10**8, 4 * 10**9)}@{rng.choice(MAIL_DOMAINS_ZH)}" if wants_email else ""
        by_email = channel == Channel.EMAIL and rng.random() < 0.5
        contact_channel = ContactChannel.EMAIL if by_email else ContactChannel.SMS

    item_zh, item_en, low, high = rng.choice(scenario.items)
    value = _money(rng.randrange(low, high + 1))
    fee = _fee(rng, carrier_code)
    insured = Decimal("0.00")
    if rng.random() < INSURED_SHARE[carrier_code]:
        insured = value if rng.random() < 0.7 else _money(max(100, int(value) // 2 // 100 * 100))
    money_categories = (Category.LOSS, Category.DAMAGE, Category.CONTENTS_MISMATCH)
    declared_at_intake = Decimal("0.00") if category in money_categories and rng.random() < 0.12 else value
    priority = Priority.URGENT if scenario.medical else (Priority.HIGH if rng.random() < 0.05 else Priority.NORMAL)

    days_ago = rng.randrange(SPAN_DAYS)
    minute_of_day = rng.randrange(8 * 60, 22 * 60) if rng.random() < 0.85 else rng.randrange(24 * 60)
    second = rng.randrange(60)

    waybill = _waybill(rng, carrier_code)
    carrier = next((c for c in CARRIERS if c.code == carrier_code), None)
    hub, hub_en = rng.choice(HUBS)
    city, city_en = rng.choice(CITIES)
    wrong_city, wrong_city_en = rng.choice([c for c in CITIES if c[0] != city])
    locker, locker_en = rng.choice(LOCKERS)
    station, station_en = rng.choice(STATIONS)
    wrong, wrong_en = rng.choice(WRONG_ITEMS)
    qty = rng.randrange(3, 9)
    missing = rng.randrange(1, qty)
    extra = _money(rng.randrange(5, 61))
    if category == Category.COD:
        extra = _money(max(20, int(value * Decimal(rng.uniform(0.1, 0.4)))))
    share = Decimal(rng.randrange(30, 81)) / 100

    # Compensation per DOMAIN.md: loss is value plus fee, capped at insured value plus fee when insured for less.
    capped = insured if Decimal("0") < insured < value else value
    amounts = {
        "fee": fee,
        "value": value,
        "total": _money(capped + fee),
        "damage_amount": _money(value * share),
        "partial": _money(value * missing / qty),
        "extra": extra,
    }
    total = amounts["total"]
    if capped < value:
        comp_loss = f"按保价金额{capped}元加运费{fee}元赔偿，合计{total}元"
        comp_loss_en = f"We pay the insured value of ¥{capped} plus the ¥{fee} shipping fee, ¥{total} in total."
    else:
        comp_loss = f"按物品实际价值{value}元加运费{fee}元赔偿，合计{total}元"
        comp_loss_en = f"We pay the item's value of ¥{value} plus the ¥{fee} shipping fee, ¥{total} in total."
    ctx = {
        "carrier": carrier.name_zh if carrier else "快递公司",
        "carrier_en": carrier.name_en if carrier else "the courier company",
        "item": item_zh,
        "item_en": item_en,
        **{name: str(amount) for name, amount in amounts.items()},
        "insured": str(insured),
        "comp_loss": comp_loss,
        "comp_loss_en": comp_loss_en,
        "days": rng.randrange(3, 10),
        "stuck": rng.randrange(2, 7),
        "qty": qty,
        "missing": missing,
        "qty_received": qty - missing,
        "hub": hub,
        "hub_en": hub_en,
        "city": city,
        "city_en": city_en,
        "wrong_city": wrong_city,
        "wrong_city_en": wrong_city_en,
        "courier": rng.choice(SURNAMES) + "师傅",
        "locker": locker,
        "locker_en": locker_en,
        "station": station,
        "station_en": station_en,
        "compound": rng.choice(COMPOUNDS),
        "building": rng.randrange(1, 19),
        "unit": f"{rng.randrange(1, 33)}0{rng.randrange(1, 5)}",
        "wrong": wrong,
        "wrong_en": wrong_en,
        "waybill": waybill,
        "salutation": salutation,
        "issue": ISSUE_ZH[category],
    }
    templates = scenario.en if language == Language.EN else scenario.zh
    description = rng.choice(templates).format(**ctx)
    return Planned(
        index=index,
        scenario=scenario,
        outcome=outcome,
        category=category,
        channel=channel,
        language=language,
        carrier_code=carrier_code,
        waybill=waybill,
        description=description,
        name=name,
        salutation=salutation,
        phone=phone,
        email=email,
        contact_channel=contact_channel,
        value=value,
        declared_at_intake=declared_at_intake,
        insured=insured,
        fee=fee,
        priority=priority,
        medical=scenario.medical,
        days_ago=days_ago,
        minute_of_day=minute_of_day,
        second=second,
        ctx=ctx,
        amounts=amounts,
    )


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _plan_repeats(plan: list[Planned], rng: random.Random, count: int) -> None:
    """Make some complaints repeats of an earlier one (2 to 20 days before, inside the 30-day window): half about the
    same waybill (the same person complaining again), half from the same phone about another parcel."""
    candidates = [p for p in plan if 1 <= p.days_ago <= 30]
    later_ones = sorted(rng.sample(candidates, min(count, len(candidates) // 3)), key=lambda p: p.index)
    taken = {p.index for p in later_ones}
    for n, later in enumerate(later_ones):
        same_waybill = n % 2 == 0
        earlier_options = [
            p
            for p in plan
            if p.index not in taken
            and later.days_ago + 2 <= p.days_ago <= later.days_ago + 20
            and (same_waybill or (p.language == later.language and p.phone))
            and not (later.channel == Channel.PARTNER_API and p.carrier_code is None)
        ]
        if not earlier_options:
            continue
        earlier = rng.choice(earlier_options)
        taken.add(earlier.index)
        later.repeat_of = earlier.index
        for attr in ("name", "salutation", "phone", "email", "language", "contact_channel"):
            setattr(later, attr, getattr(earlier, attr))
        later.ctx = {**later.ctx, "salutation": earlier.salutation}
        if same_waybill:
            for attr in (
                "scenario",
                "outcome",
                "category",
                "carrier_code",
                "waybill",
                "value",
                "declared_at_intake",
                "insured",
                "fee",
                "medical",
                "amounts",
                "ctx",
            ):
                setattr(later, attr, getattr(earlier, attr))
            templates = REPEAT_SAME_WAYBILL_EN if later.english else REPEAT_SAME_WAYBILL_ZH
            later.description = rng.choice(templates).format(**later.ctx)
            if later.medical:
                later.priority = Priority.URGENT
        if later.english and later.contact_channel != ContactChannel.EMAIL:
            later.contact_channel = ContactChannel.EMAIL


def build_plan() -> list[Planned]:
    """The ~300 complaints, identical on every machine and every day."""
    rng = random.Random(f"{SEED}/plan")
    categories = _spread(rng, CATEGORY_WEIGHTS, COMPLAINT_COUNT)
    channels = _spread(rng, CHANNEL_WEIGHTS, COMPLAINT_COUNT)
    plan = [_plan_one(i, categories[i], channels[i]) for i in range(COMPLAINT_COUNT)]
    _plan_repeats(plan, rng, count=max(2, len(plan) * 6 // 100))
    keys = Counter(p.key for p in plan)
    assert max(keys.values()) == 1, "two planned complaints share a waybill and description"
    assert {p.category for p in plan} == set(Category.values), "a category is missing from the plan"
    assert {p.channel for p in plan} == set(Channel.values), "a channel is missing from the plan"
    return plan


# --- Histories (laid out relative to now) ---------------------------------------------------------------------------


@dataclass
class Step:
    gap_minutes: float
    action: str
    params: dict[str, Any]


STATUS_BY_AGE = (
    # (younger than this many hours, [(status, weight), ...]); the last bucket has no limit.
    (2, ((Status.NEW, 55), (Status.ACKNOWLEDGED, 45))),
    (
        24,
        (
            (Status.NEW, 20),
            (Status.ACKNOWLEDGED, 25),
            (Status.IN_PROGRESS, 25),
            (Status.AWAITING_CARRIER, 15),
            (Status.AWAITING_CUSTOMER, 10),
            (Status.RESOLVED, 5),
        ),
    ),
    (
        72,
        (
            (Status.ACKNOWLEDGED, 5),
            (Status.IN_PROGRESS, 25),
            (Status.AWAITING_CARRIER, 25),
            (Status.AWAITING_CUSTOMER, 15),
            (Status.RESOLVED, 25),
            (Status.REOPENED, 5),
        ),
    ),
    (
        240,
        (
            (Status.IN_PROGRESS, 8),
            (Status.AWAITING_CARRIER, 8),
            (Status.AWAITING_CUSTOMER, 5),
            (Status.RESOLVED, 30),
            (Status.CLOSED, 44),
            (Status.REOPENED, 5),
        ),
    ),
    (
        None,
        (
            (Status.IN_PROGRESS, 2),
            (Status.AWAITING_CARRIER, 2),
            (Status.AWAITING_CUSTOMER, 1),
            (Status.RESOLVED, 8),
            (Status.CLOSED, 84),
            (Status.REOPENED, 3),
        ),
    ),
)
# The youngest a complaint can be to end in each status, for the coverage fix-up.
MIN_AGE_HOURS = {
    Status.NEW: 0,
    Status.ACKNOWLEDGED: 0.5,
    Status.IN_PROGRESS: 2,
    Status.AWAITING_CARRIER: 2,
    Status.AWAITING_CUSTOMER: 2,
    Status.RESOLVED: 24,
    Status.REOPENED: 48,
    Status.CLOSED: 72,
}


def _received_at(p: Planned, now: datetime) -> datetime:
    local_now = timezone.localtime(now)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    at = midnight - timedelta(days=p.days_ago) + timedelta(minutes=p.minute_of_day, seconds=p.second)
    latest = now - YOUNGEST
    if at > latest:  # later today than now: received a little while ago instead
        at = latest - timedelta(minutes=p.minute_of_day % 240, seconds=p.second)
    return at


def _pick_status(age_hours: float, rng: random.Random) -> str:
    for limit, table in STATUS_BY_AGE:
        if limit is None or age_hours < limit:
            return _weighted(rng, table)
    raise AssertionError("unreachable")


def _cover_every_status(chosen: dict[int, str], ages: dict[int, float], carrier_less: set[int]) -> None:
    """Make sure every status occurs: give a missing one to the youngest (new, acknowledged) or oldest (the others)
    complaint old enough for it whose own status occurs more than once."""
    for status in Status.values:
        counts = Counter(chosen.values())
        if counts[status] or not chosen:
            continue
        young_first = status in (Status.NEW, Status.ACKNOWLEDGED)
        for index in sorted(chosen, key=lambda i: ages[i] if young_first else -ages[i]):
            if status == Status.AWAITING_CARRIER and index in carrier_less:
                continue
            if counts[chosen[index]] > 1 and ages[index] >= MIN_AGE_HOURS[status]:
                chosen[index] = status
                break


class _Story:
    """Builds one complaint's history as steps with gaps in minutes."""

    def __init__(self, p: Planned, rng: random.Random):
        self.p = p
        self.rng = rng
        self.steps: list[Step] = []
        ctx = p.ctx
        self.ctx = ctx
        high_risk = p.medical or p.channel in (Channel.SOCIAL_MEDIA, Channel.REGULATOR) or p.repeat_of is not None
        high_risk = high_risk or p.declared_at_intake >= Decimal(settings.REDRESS_HIGH_VALUE_THRESHOLD)
        self.high_risk = high_risk
        if high_risk:
            self.owner = _weighted(rng, (("supervisor", 60), ("agent1", 20), ("agent2", 20)))
        else:
            self.owner = _weighted(rng, (("agent1", 45), ("agent2", 45), ("supervisor", 10)))

    def add(self, low: float, high: float, action: str, **params) -> None:
        self.steps.append(Step(self.rng.uniform(low, high), action, params))

    def text(self, zh: str | tuple[str, ...], en: str | tuple[str, ...], **extra) -> str:
        choice = en if self.p.english else zh
        if isinstance(choice, tuple):
            choice = self.rng.choice(choice)
        return choice.format(**{**self.ctx, **extra})

    def agent_name(self, username: str) -> str:
        return STAFF_NAME_EN[username] if self.p.english else STAFF_NAME_ZH[username]

    # -- pieces

    def intake(self, status: str) -> None:
        p, rng = self.p, self.rng
        assigner = "supervisor" if rng.random() < 0.4 else self.owner
        if status == Status.NEW:
            if rng.random() < 0.35:
                self.add(5, 90, "assign", actor=assigner, owner=self.owner)
            return
        if rng.random() < 0.6:
            self.add(1, 15, "transition", actor=None, to=Status.ACKNOWLEDGED, note=self.text(ACK_AUTO_ZH, ACK_AUTO_EN))
            self.add(5, 180, "assign", actor=assigner, owner=self.owner)
        else:
            self.add(5, 120, "assign", actor=assigner, owner=self.owner)
            self.add(2, 40, "transition", actor=self.owner, to=Status.ACKNOWLEDGED, note="")
        flags = [
            name
            for name, on in (
                ("medical", p.medical),
                ("social_media", p.channel == Channel.SOCIAL_MEDIA),
                ("regulator", p.channel == Channel.REGULATOR),
                ("repeat", p.repeat_of is not None),
            )
            if on
        ]
        if flags:
            self.add(5, 60, "note", actor=self.owner, message=RISK_NOTES_ZH[flags[0]])
        if p.channel in ESCALATE_REASON_ZH and rng.random() < 0.5:
            self.add(10, 120, "escalate", actor="supervisor", reason=ESCALATE_REASON_ZH[p.channel], to_level=2)

    def first_reply(self) -> None:
        late = self.rng.random() < 0.12
        low, high = (1500, 2400) if late else (20, 480)
        if self.p.medical or self.high_risk:
            low, high = (10, 120)
        self.add(
            low,
            high,
            "reply",
            actor=self.owner,
            message=self.text(
                FIRST_REPLY_ZH,
                FIRST_REPLY_EN,
                agent=self.agent_name(self.owner),
                by=self.rng.choice(BY_EN if self.p.english else BY_ZH),
            ),
        )
        if self.p.declared_at_intake != self.p.value:
            self.add(60, 900, "update", actor=self.owner, changes={"declared_value": self.p.value})
            self.add(1, 5, "note", actor=self.owner, message=UPDATE_NOTE_ZH.format(**self.ctx))

    def maybe_note(self, chance: float) -> None:
        if self.rng.random() < chance:
            self.add(10, 600, "note", actor=self.owner, message=self.text(NOTES_ZH, NOTES_ZH))

    def hand_over(self, *, answered: bool, accepted: bool = True) -> None:
        p = self.p
        if p.english:
            message = HANDOVER_EN.format(carrier_en=self.ctx["carrier_en"], ask=ASK_EN[p.category])
        elif p.medical:
            message = HANDOVER_MEDICAL_ZH.format(**self.ctx)
        else:
            message = HANDOVER_ZH[p.category].format(**self.ctx)
        self.add(10, 240, "hand", actor=self.owner, message=message)
        carrier_user = CARRIER_USER[p.carrier_code]
        if accepted:
            self.add(10, 300, "accept", actor=carrier_user)
        if answered:
            self.add(60, 1500, "reply", actor=carrier_user, message=p.outcome.answer.format(**self.ctx))
            self.add(
                10,
                120,
                "transition",
                actor=self.owner,
                to=Status.IN_PROGRESS,
                note=self.text(BACK_FROM_CARRIER_ZH, BACK_FROM_CARRIER_EN),
            )

    def ask_customer(self, *, supplied: bool) -> None:
        category = self.p.category
        ask = self.text(
            ASK_CUSTOMER_ZH.get(category, ASK_CUSTOMER_ZH_DEFAULT),
            ASK_CUSTOMER_EN.get(category, ASK_CUSTOMER_EN_DEFAULT),
        )
        self.add(30, 300, "transition", actor=self.owner, to=Status.AWAITING_CUSTOMER, note=ask)
        if supplied:
            self.add(
                120,
                2880,
                "transition",
                actor=self.owner,
                to=Status.IN_PROGRESS,
                note=self.text(SUPPLIED_ZH, SUPPLIED_EN),
            )

    def progress(self) -> None:
        self.add(10, 240, "reply", actor=self.owner, message=self.text(PROGRESS_ZH, PROGRESS_EN))

    def resolve(self, *, follow_up: bool = False) -> None:
        p = self.p
        amount = p.amounts.get(p.outcome.payout) if p.outcome.payout else None
        if amount is not None and amount > AGENT_APPROVAL_LIMIT and self.owner != "supervisor":
            self.add(30, 600, "note", actor="supervisor", message=APPROVAL_NOTE_ZH.format(amount=amount))
        summary = self.text(p.outcome.zh, p.outcome.en)
        if follow_up:
            summary += (" " if p.english else "") + self.text(FOLLOW_UP_ZH, FOLLOW_UP_EN)
        self.add(
            60,
            1440,
            "resolve",
            actor=self.owner,
            summary=summary,
            root_cause=p.outcome.root_cause.format(**self.ctx),
            root_cause_area=p.outcome.area,
            carrier_liable=p.outcome.liable,
        )

    def survey(self, score: int, *, low: float = 4320, high: float = 5760) -> None:
        if score <= 2 and self.p.outcome.payout:
            comment = self.text(SURVEY_LOW_MONEY_ZH, SURVEY_LOW_MONEY_EN)
        elif score <= 2 and self.p.category == Category.DELIVERY_SERVICE:
            comment = self.text(SURVEY_LOW_DELIVERY_ZH, SURVEY_LOW_DELIVERY_EN)
        elif score <= 2:
            comment = self.text(SURVEY_LOW_ZH, SURVEY_LOW_EN)
        elif score == 3:
            comment = self.text(SURVEY_MID_ZH, SURVEY_MID_EN)
        else:
            comment = self.text(SURVEY_HIGH_ZH, SURVEY_HIGH_EN)
        self.add(low, high, "survey", score=score, comment=comment)

    def reopen(self) -> bool:
        """Reopen after a resolution: a dissatisfied survey answer (it also escalates and sends the complaint back to
        the queue) or the complainant calling back."""
        if self.rng.random() < 0.7:
            self.survey(self.rng.choice((1, 2)))
            return True
        if self.p.outcome.payout:
            reason = self.text(REOPEN_REASON_MONEY_ZH, REOPEN_REASON_MONEY_EN)
        else:
            reason = self.text(REOPEN_REASON_ZH, REOPEN_REASON_EN)
        self.add(1440, 5760, "reopen", actor=self.owner, reason=reason)
        return False

    # -- whole stories

    def work_until_resolution(self, status: str) -> None:
        """From acknowledged to just before resolving, stopping early for the open statuses."""
        p, rng = self.p, self.rng
        self.first_reply()
        has_carrier = p.carrier_code is not None
        if status == Status.AWAITING_CUSTOMER:
            if rng.random() < 0.6:
                self.add(1, 30, "transition", actor=self.owner, to=Status.IN_PROGRESS, note="")
            self.ask_customer(supplied=False)
            return
        if status == Status.AWAITING_CARRIER and has_carrier:
            if rng.random() < 0.6:
                self.add(1, 30, "transition", actor=self.owner, to=Status.IN_PROGRESS, note="")
            self.hand_over(answered=False, accepted=rng.random() < 0.6)
            self.maybe_note(0.3)
            return
        self.add(1, 30, "transition", actor=self.owner, to=Status.IN_PROGRESS, note="")
        self.maybe_note(0.4)
        if status == Status.IN_PROGRESS:
            if has_carrier and rng.random() < 0.4:
                self.hand_over(answered=True)
            if rng.random() < 0.5:
                self.progress()
            return
        if has_carrier and (p.outcome.payout or rng.random() < 0.7):
            self.hand_over(answered=True)
            self.maybe_note(0.3)
        if (
            p.category in (Category.DAMAGE, Category.LOSS, Category.CONTENTS_MISMATCH, Category.COD)
            and rng.random() < 0.4
        ):
            self.ask_customer(supplied=True)
        if rng.random() < 0.5:
            self.progress()

    def tell(self, status: str) -> list[Step]:
        rng = self.rng
        self.intake(status)
        if status == Status.NEW:
            return self.steps
        if status == Status.ACKNOWLEDGED:
            if rng.random() < 0.5:
                self.first_reply()
            self.maybe_note(0.3)
            return self.steps
        self.work_until_resolution(status)
        if status in (Status.IN_PROGRESS, Status.AWAITING_CARRIER, Status.AWAITING_CUSTOMER):
            return self.steps
        self.resolve()
        if status == Status.RESOLVED:
            if rng.random() < 0.4:
                self.survey(3)  # answered, neither happy nor unhappy: waits for the agent to close it
            return self.steps
        if status == Status.REOPENED:
            self.reopen()
            return self.steps
        # Closed, a few of them after a second round.
        if rng.random() < 0.15:
            by_survey = self.reopen()
            if by_survey:  # the survey sent it back to the queue: the supervisor takes it
                self.owner = "supervisor"
                self.add(10, 120, "assign", actor="supervisor", owner="supervisor")
            self.add(10, 120, "transition", actor=self.owner, to=Status.IN_PROGRESS, note="")
            self.add(
                30,
                240,
                "reply",
                actor=self.owner,
                message=self.text(REOPEN_REPLY_ZH, REOPEN_REPLY_EN, agent=self.agent_name(self.owner)),
            )
            self.resolve(follow_up=True)
        if rng.random() < 0.6:
            self.survey(rng.choice((4, 5, 5)))
            self.add(30, 600, "close", actor=self.owner)
        else:
            self.add(10080, 11520, "close", actor=None)  # no answer to the revisit: closed after a week
        return self.steps


def _lay_out(steps: list[Step], received_at: datetime, now: datetime) -> list[datetime]:
    """Times for the steps: the planned gaps, squeezed proportionally when they do not fit before now."""
    window = (now - LAST_STEP_MARGIN - received_at).total_seconds()
    planned = [step.gap_minutes * 60 for step in steps]
    total = sum(planned)
    scale = min(1.0, window * 0.95 / total) if total else 1.0
    times = []
    at = received_at
    for gap in planned:
        at = at + timedelta(seconds=max(30, int(gap * scale)))
        times.append(at)
    if times and times[-1] > now - LAST_STEP_MARGIN:
        raise AssertionError(f"demo history runs into the future (received {received_at}, last step {times[-1]})")
    return times


# --- Running it -----------------------------------------------------------------------------------------------------


@dataclass
class UserLine:
    username: str
    role: Role
    carrier: str | None
    is_staff: bool
    created: bool
    password_is_demo: bool


@dataclass
class SeedResult:
    carriers_created: int = 0
    carriers_existing: int = 0
    users_created: int = 0
    users_existing: int = 0
    complaints_created: int = 0
    complaints_existing: int = 0
    events_created: int = 0
    users: list[UserLine] = field(default_factory=list)
    password: str = ""
    # (carrier code, key) for partner API keys made by this run; a key is shown once, so a rerun makes none.
    api_keys: list[tuple[str, str]] = field(default_factory=list)


def seed_demo(*, now: datetime | None = None) -> SeedResult:
    """Create whatever of the demo data is missing. See the module docstring for what "missing" means."""
    now = now or timezone.now()
    result = SeedResult(password=settings.REDRESS_DEMO_PASSWORD)
    with transaction.atomic():
        carriers = _seed_carriers(result)
        users = _seed_users(result, carriers)
        _seed_complaints(result, carriers, users, now)
        _seed_api_key(result, carriers[DEMO_API_CARRIER])
        _seed_parcel_volumes(carriers, now)
    return result


# Weekly parcels per carrier, as their systems would report them (PUT /api/v1/volumes/{week}/), so the demo report
# shows complaint rates. Deterministic: a week's figure depends only on the carrier and the week.
DEMO_WEEKLY_PARCELS = {"ZTO": 3_200_000, "SF": 1_800_000, "KY": 400_000}


def _seed_parcel_volumes(carriers: dict[str, Carrier], now: datetime) -> None:
    from reports.models import ParcelVolume
    from reports.services import parcel_volume_set
    from reports.weeks import IsoWeek

    if ParcelVolume.objects.filter(carrier__code__in=DEMO_WEEKLY_PARCELS).exists():
        return  # seeded before (or reported since): a rerun adds nothing
    week = IsoWeek.of(now).previous(7)
    while week <= IsoWeek.of(now).previous():
        for code, parcels in DEMO_WEEKLY_PARCELS.items():
            wobble = 1 + ((week.week * 7 + len(code)) % 11 - 5) / 100  # ±5 % from week to week
            parcel_volume_set(carrier=carriers[code], iso_week=str(week), parcels=int(parcels * wobble), at=now)
        week = week.next()


DEMO_API_CARRIER = "ZTO"
DEMO_API_KEY_NAME = "demo"


def _seed_api_key(result: SeedResult, carrier: Carrier) -> None:
    """One partner API key for the demo carrier, so the API can be tried at once (`curl -H "Authorization: Bearer
    …" /api/v1/complaints/`). Only its hash is stored: it is printed by the run that makes it, never again."""
    from accounts.models import ApiKey
    from accounts.services import api_key_issue

    if ApiKey.objects.filter(carrier=carrier, name=DEMO_API_KEY_NAME).exists():
        return
    _key, raw = api_key_issue(carrier=carrier, name=DEMO_API_KEY_NAME)
    result.api_keys.append((carrier.code, raw))


def _seed_carriers(result: SeedResult) -> dict[str, Carrier]:
    carriers = {}
    for spec in CARRIERS:
        carrier, created = Carrier.objects.get_or_create(
            code=spec.code,
            defaults={"name_zh": spec.name_zh, "name_en": spec.name_en, "contact_email": spec.contact_email},
        )
        carriers[spec.code] = carrier
        if created:
            result.carriers_created += 1
        else:
            result.carriers_existing += 1
    return carriers


def _seed_users(result: SeedResult, carriers: dict[str, Carrier]) -> dict[str | None, User | None]:
    password = settings.REDRESS_DEMO_PASSWORD
    users: dict[str | None, User | None] = {None: None}
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if created:
            carrier = carriers[spec.carrier] if spec.carrier else None
            domain = f"{spec.carrier.lower()}.example.com" if spec.carrier else "redress.example.com"
            user = User.objects.create_user(
                username=spec.username,
                email=f"{spec.username}@{domain}",
                password=password,
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=spec.is_staff,
                carrier=carrier,
            )
            result.users_created += 1
        else:
            result.users_existing += 1
        user.groups.add(Group.objects.get(name=spec.group))  # no change when it is already there
        users[spec.username] = user
        result.users.append(
            UserLine(
                username=spec.username,
                role=ROLE_OF_GROUP[spec.group],
                carrier=user.carrier.code if user.carrier_id else None,
                is_staff=user.is_staff,
                created=created,
                # Not user.check_password(): that may re-hash and save the password, a change on a second run.
                password_is_demo=created or check_password(password, user.password),
            )
        )
    return users


def _seed_complaints(result: SeedResult, carriers: dict[str, Carrier], users: dict, now: datetime) -> None:
    from complaints.models import ComplaintEvent

    plan = build_plan()
    waybills = {p.waybill for p in plan}
    existing = set(Complaint.objects.filter(waybill_number__in=waybills).values_list("waybill_number", "description"))
    todo = [p for p in plan if p.key not in existing]
    result.complaints_existing = len(plan) - len(todo)
    if not todo:
        return
    events_before = ComplaintEvent.objects.count()

    received = {p.index: _received_at(p, now) for p in todo}
    ages = {p.index: (now - received[p.index]).total_seconds() / 3600 for p in todo}
    rngs = {p.index: random.Random(f"{SEED}/history/{p.index}") for p in todo}
    chosen = {p.index: _pick_status(ages[p.index], rngs[p.index]) for p in todo}
    carrier_less = {p.index for p in todo if p.carrier_code is None}
    for index in carrier_less:
        if chosen[index] == Status.AWAITING_CARRIER:
            chosen[index] = Status.IN_PROGRESS  # nobody to hand it to
    _cover_every_status(chosen, ages, carrier_less)

    for p in sorted(todo, key=lambda p: (received[p.index], p.index)):
        story = _Story(p, rngs[p.index])
        steps = story.tell(chosen[p.index])
        times = _lay_out(steps, received[p.index], now)
        complaint = services.complaint_create(
            actor=users[_creator(p, story)],
            channel=p.channel,
            category=p.category,
            waybill_number=p.waybill,
            description=p.description,
            complainant_name=p.name,
            complainant_phone=p.phone,
            complainant_email=p.email,
            language=p.language,
            contact_channel=p.contact_channel,
            carrier=carriers[p.carrier_code] if p.carrier_code else None,
            declared_value=p.declared_at_intake,
            insured_value=p.insured,
            shipping_fee=p.fee,
            priority=p.priority,
            risk_medical=p.medical,
            at=received[p.index],
        )
        for step, at in zip(steps, times):
            _perform(step, complaint, at, users)
    result.complaints_created = len(todo)
    result.events_created = ComplaintEvent.objects.count() - events_before


def _creator(p: Planned, story: _Story) -> str | None:
    """Who typed the complaint in: the carrier's API user, the agent who took the call, or nobody (forms, email)."""
    if p.channel == Channel.PARTNER_API:
        return CARRIER_USER[p.carrier_code]
    if p.channel in (Channel.PHONE, Channel.SOCIAL_MEDIA, Channel.REGULATOR):
        return story.owner if story.owner != "supervisor" else "agent1"
    return None


def _perform(step: Step, complaint: Complaint, at: datetime, users: dict) -> None:
    params = dict(step.params)
    actor = users[params.pop("actor", None)]
    action = step.action
    if action == "assign":
        services.complaint_assign(complaint=complaint, actor=actor, owner=users[params["owner"]], at=at)
    elif action == "transition":
        services.complaint_transition(
            complaint=complaint, actor=actor, to_status=params["to"], note=params["note"], at=at
        )
    elif action == "reply":
        services.complaint_reply(complaint=complaint, actor=actor, message=params["message"], at=at)
    elif action == "note":
        services.complaint_add_note(complaint=complaint, actor=actor, message=params["message"], at=at)
    elif action == "update":
        services.complaint_update(
            complaint=complaint, actor=actor, expected_version=None, changes=params["changes"], at=at
        )
    elif action == "hand":
        services.complaint_hand_to_carrier(complaint=complaint, actor=actor, message=params["message"], at=at)
    elif action == "accept":
        services.complaint_carrier_accept(complaint=complaint, actor=actor, at=at)
    elif action == "resolve":
        services.complaint_resolve(
            complaint=complaint,
            actor=actor,
            summary=params["summary"],
            root_cause=params["root_cause"],
            root_cause_area=params.get("root_cause_area", ""),
            carrier_liable=params.get("carrier_liable"),
            at=at,
        )
    elif action == "close":
        services.complaint_close(complaint=complaint, actor=actor, at=at)
    elif action == "reopen":
        services.complaint_reopen(complaint=complaint, actor=actor, reason=params["reason"], at=at)
    elif action == "survey":
        services.complaint_answer_survey(
            complaint=complaint, cycle=complaint.reopen_count, score=params["score"], comment=params["comment"], at=at
        )
    elif action == "escalate":
        complaint_escalate(
            complaint=complaint, actor=actor, reason=params["reason"], to_level=params["to_level"], at=at
        )
    else:
        raise ValueError(f"unknown demo step {action!r}")
