from django.urls import path

from vcdesk.customers import views

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.OrganisationFormView.as_view(), name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<int:pk>/edit/",
        views.OrganisationFormView.as_view(),
        name="organisation_edit",
    ),
    path("sites/new/", views.SiteFormView.as_view(), name="site_create"),
    path("sites/<int:pk>/edit/", views.SiteFormView.as_view(), name="site_edit"),
    path("contacts/new/", views.ContactFormView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/edit/", views.ContactFormView.as_view(), name="contact_edit"),
]
