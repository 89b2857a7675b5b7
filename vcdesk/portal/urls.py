from django.urls import path

from vcdesk.portal import views

urlpatterns = [path("portal/", views.portal, name="portal")]
