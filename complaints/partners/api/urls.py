"""/api/v1/ of the partner API. Unknown paths under /api/ answer 404 in the error shape (see config/urls.py)."""

from django.urls import path

from complaints.partners.api import views
from complaints.partners.api.attachments import ComplaintAttachmentContentView, ComplaintAttachmentsView
from complaints.partners.api.compensation import CompensationProposalsView
from complaints.partners.api.evidence import ComplaintEvidenceFileView, ComplaintEvidenceView

app_name = "api"

urlpatterns = [
    path("complaints/", views.ComplaintListView.as_view(), name="complaint-list"),
    path("complaints/<str:reference>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path("complaints/<str:reference>/events/", views.ComplaintEventsView.as_view(), name="complaint-events"),
    path("complaints/<str:reference>/accept/", views.ComplaintAcceptView.as_view(), name="complaint-accept"),
    path("complaints/<str:reference>/replies/", views.ComplaintRepliesView.as_view(), name="complaint-replies"),
    path(
        "complaints/<str:reference>/resolution-proposals/",
        views.ResolutionProposalsView.as_view(),
        name="complaint-resolution-proposals",
    ),
    path(
        "complaints/<str:reference>/compensation-proposals/",
        CompensationProposalsView.as_view(),
        name="complaint-compensation-proposals",
    ),
    path("complaints/<str:reference>/attachments/", ComplaintAttachmentsView.as_view(), name="complaint-attachments"),
    path(
        "complaints/<str:reference>/attachments/<int:attachment_id>/content/",
        ComplaintAttachmentContentView.as_view(),
        name="complaint-attachment-content",
    ),
    # Deprecated alias of the attachments (evidence.py).
    path("complaints/<str:reference>/evidence/", ComplaintEvidenceView.as_view(), name="complaint-evidence"),
    path(
        "complaints/<str:reference>/evidence/<int:evidence_id>/",
        ComplaintEvidenceFileView.as_view(),
        name="complaint-evidence-file",
    ),
    path("volumes/<str:iso_week>/", views.VolumeView.as_view(), name="volume"),
]
