"""The plan: the ~300 complaints the demo makes, independent of the time it runs.

Everything that identifies a planned complaint (waybill number, complainant, texts, amounts, which scenario, which
channel) comes from ``random.Random`` instances seeded with fixed strings, one per complaint, so the plan is the same
on every machine and every day. Its identity, ``(waybill_number, description)``, is unique within the plan (a repeat
complaint about the same waybill has its own description); seed.py looks planned complaints up by it. When each
complaint was received and what happened to it since depends on *now*: that is histories.py.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from complaints.choices import Category, Channel, ContactChannel, Language, Priority
from complaints.devtools.demo.people import (
    CARRIERS,
    CITIES,
    COMPOUNDS,
    ENGLISH_NAMES,
    GIVEN_FEMALE,
    GIVEN_MALE,
    HUBS,
    LOCKERS,
    MAIL_DOMAINS_EN,
    MAIL_DOMAINS_ZH,
    MOBILE_PREFIXES,
    STATIONS,
    SURNAMES,
    WRONG_ITEMS,
)
from complaints.devtools.demo.texts import (
    ISSUE_ZH,
    REPEAT_SAME_WAYBILL_EN,
    REPEAT_SAME_WAYBILL_ZH,
    SCENARIOS,
    Outcome,
    Scenario,
)

SEED = "redress-demo-v1"
COMPLAINT_COUNT = 300
SPAN_DAYS = 42
CENT = Decimal("0.01")

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
    Channel.SMS: 3,  # a text to our SMS number that matched no open complaint (complaints/inbound)
}
# How likely a complaint on each channel is from an English speaker.
ENGLISH_SHARE = {Channel.EMAIL: 0.4, Channel.WEB: 0.2, Channel.SOCIAL_MEDIA: 0.1, Channel.PHONE: 0.04}
CARRIER_WEIGHTS = (("ZTO", 45), ("SF", 30), ("KY", 20), (None, 5))
INSURED_SHARE = {"ZTO": 0.1, "SF": 0.4, "KY": 0.5, None: 0.0}


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
    surge: bool = False  # one of the complaints of the surge (histories.py puts them all on one day)

    @property
    def key(self) -> tuple[str, str]:
        return (self.waybill, self.description)

    @property
    def english(self) -> bool:
        return self.language == Language.EN


def _money(value: Decimal | int | float | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted(rng: random.Random, pairs):
    """One value drawn from (value, weight) pairs."""
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
    carrier_code = weighted(rng, CARRIER_WEIGHTS)
    if channel == Channel.PARTNER_API and carrier_code is None:
        carrier_code = "ZTO"  # a partner API complaint always comes from a carrier
    language = Language.EN if rng.random() < ENGLISH_SHARE.get(channel, 0.0) else Language.ZH_HANS
    scenarios = [s for s in SCENARIOS if s.category == category and (language == Language.ZH_HANS or s.en)]
    scenario = weighted(rng, [(s, s.weight) for s in scenarios])
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

    # Compensation per docs/domain.md: loss is value plus fee, capped at insured value plus fee when insured for less.
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


# The surge: most of one carrier's damage complaints arrive on one day (a hub left parcels in the rain), which the
# hourly surge check (reports/surge.py) must notice. histories.py puts them on a weekday of the last full week.
SURGE_CARRIER = "ZTO"
SURGE_CATEGORY = Category.DAMAGE
SURGE_SHARE = 0.6


def _plan_surge(plan: list[Planned]) -> None:
    repeated = {p.repeat_of for p in plan if p.repeat_of is not None}
    candidates = [
        p
        for p in plan
        if p.carrier_code == SURGE_CARRIER
        and p.category == SURGE_CATEGORY
        and p.repeat_of is None
        and p.index not in repeated
    ]
    for p in candidates[: round(len(candidates) * SURGE_SHARE)]:
        p.surge = True


def build_plan() -> list[Planned]:
    """The ~300 complaints, identical on every machine and every day."""
    rng = random.Random(f"{SEED}/plan")
    categories = _spread(rng, CATEGORY_WEIGHTS, COMPLAINT_COUNT)
    channels = _spread(rng, CHANNEL_WEIGHTS, COMPLAINT_COUNT)
    plan = [_plan_one(i, categories[i], channels[i]) for i in range(COMPLAINT_COUNT)]
    _plan_repeats(plan, rng, count=max(2, len(plan) * 6 // 100))
    _plan_surge(plan)
    keys = Counter(p.key for p in plan)
    assert max(keys.values()) == 1, "two planned complaints share a waybill and description"
    assert {p.category for p in plan} == set(Category.values), "a category is missing from the plan"
    assert {p.channel for p in plan} == set(Channel.values), "a channel is missing from the plan"
    return plan
