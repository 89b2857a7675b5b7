from django.urls import path

from vcdesk.contracts import views

urlpatterns = [
    path("contracts/new/", views.ContractFormView.as_view(), name="contract_create"),
    path("contracts/<int:pk>/edit/", views.ContractFormView.as_view(), name="contract_edit"),
]
