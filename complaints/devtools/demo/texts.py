"""The demo's texts: what complainants write, what agents and carriers answer, how complaints are resolved, and the
notes, surveys and reasons of their histories, in Chinese and English.

This module is data, not logic, and runs past the usual 400 lines on purpose: the scenarios and their outcomes read
best side by side, and splitting them would only scatter one table over several files.

Templates are str.format strings over the complaint's context (built in plan.py). Carrier answers are written by the
carrier's API user as customer-visible replies; resolutions are customer-visible; root causes are internal, for the
department that caused the problem (Haier's "feed every result back").
"""

from __future__ import annotations

from dataclasses import dataclass

from complaints.choices import Category, Channel, RootCauseArea


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
# Why a claim is proposed at the amount the resolution promised rather than the computed one.
CLAIM_REASON_ZH = "按与投诉人协商一致并经承运商确认的金额赔偿。"
CLAIM_REASON_EN = "The amount agreed with the complainant and confirmed by the carrier."
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
