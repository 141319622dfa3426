"""factory-boy factories. Complaints are made through the intake service, as in production."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import Carrier, User
from accounts.roles import GROUP_AGENT, GROUP_CARRIER, GROUP_SUPERVISOR
from complaints.choices import Category, Channel, Language
from complaints.services import complaint_create


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CR{n:02d}")
    name_zh = factory.LazyAttribute(lambda o: f"{o.code}快递")
    name_en = factory.LazyAttribute(lambda o: f"{o.code} Express")
    contact_email = factory.LazyAttribute(lambda o: f"cs@{o.code.lower()}.example.com")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@redress.example.com")
    password = factory.django.Password("pw-for-tests-123")


class AgentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        obj.groups.add(Group.objects.get_or_create(name=GROUP_AGENT)[0])


class SupervisorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"supervisor{n}")
    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        obj.groups.add(Group.objects.get_or_create(name=GROUP_SUPERVISOR)[0])


class CarrierUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"carrier{n}")
    carrier = factory.SubFactory(CarrierFactory)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        obj.groups.add(Group.objects.get_or_create(name=GROUP_CARRIER)[0])


_sequence = iter(range(10_000_000))


def make_complaint(**overrides):
    """A valid complaint through complaint_create; each call gets its own waybill and phone unless given."""
    n = next(_sequence)
    fields = {
        "actor": None,
        "channel": Channel.PHONE,
        "category": Category.DELAY,
        "waybill_number": f"ZT{7_500_000_000 + n:012d}",
        "description": "快件已经延误三天，物流信息一直没有更新。",
        "complainant_name": "张伟",
        "complainant_phone": f"139{n:08d}",
        "complainant_email": "",
        "language": Language.ZH_HANS,
        "carrier": None,
        "declared_value": Decimal("200.00"),
        "insured_value": Decimal("0.00"),
        "shipping_fee": Decimal("12.00"),
    }
    fields.update(overrides)
    if fields["carrier"] is None and "carrier" not in overrides:
        fields["carrier"] = CarrierFactory(code="ZTO", name_zh="中通快递", name_en="ZTO Express")
    return complaint_create(**fields)
