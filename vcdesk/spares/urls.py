from django.urls import path

from vcdesk.spares import views

urlpatterns = [
    path("spares/", views.stock_overview, name="spares_stock"),
    path("spares/receive/", views.stock_receive, name="spares_receive"),
    path("spares/transfer/", views.stock_transfer, name="spares_transfer"),
    path("spares/requests/", views.spare_request_queue, name="spare_request_queue"),
    path("spares/requests/new/", views.spare_request_new, name="spare_request_create"),
    path("spares/requests/<int:pk>/ship/", views.spare_request_ship, name="spare_request_ship"),
    path(
        "spares/requests/<int:pk>/arrive/", views.spare_request_arrive, name="spare_request_arrive"
    ),
    path(
        "spares/requests/<int:pk>/cancel/", views.spare_request_cancel, name="spare_request_cancel"
    ),
]
