from django.urls import path

from vcdesk.surveys import pdf, views

urlpatterns = [
    path("s/<str:token>/", views.survey_by_token, name="survey_by_token"),
    path("surveys/", views.survey_invitation_list, name="survey_invitation_list"),
    path("surveys/results/", views.survey_results, name="survey_results"),
    path("surveys/<int:pk>/", views.survey_invitation_detail, name="survey_invitation_detail"),
    path("surveys/<int:pk>/answer/", views.survey_answer, name="survey_answer"),
    path("surveys/<int:pk>/form.pdf", pdf.survey_pdf, name="survey_pdf"),
]
