"""The complainants' public complaint form, as the tests fill it in: its address, a valid submission, and the signed
`started` stamp the form hands out (its anti-spam timer)."""

import time_machine
from django.urls import reverse

FORM = reverse("public:file")


def form_data(started, **overrides):
    data = {
        "waybill_number": "SF1234567890123",
        "category": "delay",
        "description": "快件五天没有更新物流信息。",
        "complainant_name": "刘洋",
        "complainant_phone": "13912345678",
        "complainant_email": "",
        "website": "",
        "started": started,
    }
    data.update(overrides)
    return data


def started_stamp(client, moment):
    with time_machine.travel(moment, tick=False):
        page = client.get(FORM)
    assert page.status_code == 200
    return page.context["form"].initial["started"]
