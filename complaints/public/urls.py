from django.urls import path

from complaints.public import views as public_views

app_name = "public"
urlpatterns = [
    path("status/<str:token>/", public_views.status_page, name="status"),
    path("status/<str:token>/files/<int:evidence_id>/", public_views.evidence_file, name="evidence_file"),
    path(
        "status/<str:token>/files/<int:evidence_id>/thumbnail/",
        public_views.evidence_file,
        {"thumbnail": True},
        name="evidence_thumbnail",
    ),
    path("survey/<str:token>/", public_views.survey_page, name="survey"),
    path("complain/", public_views.file_complaint, name="file"),
]
