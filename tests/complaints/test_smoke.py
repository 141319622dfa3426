from complaints.choices import Status
from tests.factories import make_complaint


def test_intake_gives_a_new_complaint_with_a_readable_reference(db):
    complaint = make_complaint()
    assert complaint.status == Status.NEW
    assert complaint.reference.startswith("C") and len(complaint.reference) == 11
