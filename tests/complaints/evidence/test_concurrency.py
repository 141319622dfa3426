"""Races on PostgreSQL: the same photo sent twice at the same moment is stored once, and the last free places of a
complaint are not given twice."""

import pytest
from django.db import connection

from complaints.errors import InvalidInput
from complaints.evidence.models import Evidence
from complaints.evidence.services import IncomingFile, evidence_add
from complaints.evidence.storage import object_names
from complaints.models import Complaint
from tests import evidence_files
from tests.concurrency import run_together
from tests.factories import AgentFactory, make_complaint

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _send(complaint_id, actor, name, data):
    return lambda: evidence_add(
        complaint=Complaint.objects.get(pk=complaint_id),
        actor=actor,
        files=[IncomingFile(name, data)],
        kind="photo",
        visibility="public",
    )


def test_the_same_photo_sent_twice_at_once_is_stored_once(evidence_storage):
    # Given a complaint, and two agents who send the same photo at the same moment
    assert connection.vendor == "postgresql"
    complaint = make_complaint()
    wang, li = AgentFactory(username="wang"), AgentFactory(username="li")
    photo = evidence_files.jpeg_with_gps()

    # When both calls run together
    outcomes = run_together(_send(complaint.pk, wang, "a.jpg", photo), _send(complaint.pk, li, "b.jpg", photo))

    # Then both succeed with the same file, stored once (one object and its thumbnail), one event
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert outcomes[0][1][0].pk == outcomes[1][1][0].pk
    assert Evidence.objects.count() == 1
    assert len(list(object_names())) == 2
    assert complaint.events.filter(kind="evidence_added").count() == 1


def test_the_last_free_place_of_a_complaint_is_given_once(fs_evidence_storage, settings):
    # Given a complaint with room for one more file
    settings.REDRESS_EVIDENCE_MAX_FILES_PER_COMPLAINT = 1
    complaint = make_complaint()
    wang, li = AgentFactory(username="wang"), AgentFactory(username="li")

    # When two agents each send a different photo at once
    outcomes = run_together(
        _send(complaint.pk, wang, "a.png", evidence_files.png(colour=(1, 0, 0))),
        _send(complaint.pk, li, "b.png", evidence_files.png(colour=(0, 1, 0))),
    )

    # Then one is stored and the other refused, and the refused one left no object behind
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, InvalidInput) and error.code == "too_many_files"
    assert Evidence.objects.count() == 1
    assert len(list(object_names())) == 2
