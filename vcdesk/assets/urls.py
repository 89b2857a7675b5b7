from django.urls import path

from vcdesk.assets import views

urlpatterns = [
    path("devices/", views.device_list, name="device_list"),
    path("devices/new/", views.DeviceFormView.as_view(), name="device_create"),
    path("devices/import/", views.device_import, name="device_import"),
    path("devices/export.xlsx", views.device_export, name="device_export"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/edit/", views.DeviceFormView.as_view(), name="device_edit"),
]
