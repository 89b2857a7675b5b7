from django.urls import path

from vcdesk.feedback import pdf, views

urlpatterns = [
    path("issues/", views.issue_list, name="issue_list"),
    path("issues/new/", views.issue_create, name="issue_create"),
    path("issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/edit/", views.issue_edit, name="issue_edit"),
    path("issues/<int:pk>/supervision/", views.issue_supervision_add, name="issue_supervision_add"),
    path("issues/<int:pk>/attachments/", views.issue_attachment_add, name="issue_attachment_add"),
    path(
        "issues/<int:pk>/attachments/<int:attachment_pk>/",
        views.issue_attachment_download,
        name="issue_attachment_download",
    ),
    path("issues/<int:pk>/feedback/", views.feedback_edit, name="feedback_edit"),
    path("issues/<int:pk>/feedback/opinion/", views.feedback_opinion, name="feedback_opinion"),
    path("issues/<int:pk>/form.pdf", pdf.issue_pdf, name="issue_pdf"),
    path("issues/<int:pk>/feedback.pdf", pdf.feedback_pdf, name="feedback_pdf"),
]
