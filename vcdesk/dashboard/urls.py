from django.urls import path

from vcdesk.dashboard import views

urlpatterns = [path("", views.home, name="home")]
