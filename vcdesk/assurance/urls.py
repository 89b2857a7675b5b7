from django.urls import path

from vcdesk.assurance import views

urlpatterns = [
    path("assurance/", views.booking_list, name="assurance_booking_list"),
    path("assurance/new/", views.booking_new, name="assurance_booking_new"),
    path("assurance/mine/", views.my_meetings, name="assurance_my_meetings"),
    path("assurance/<int:pk>/", views.booking_detail, name="assurance_booking_detail"),
    path("assurance/<int:pk>/edit/", views.booking_edit, name="assurance_booking_edit"),
    path("assurance/<int:pk>/<slug:action>/", views.booking_step, name="assurance_booking_step"),
]
