from django.urls import path

from series import views

urlpatterns = [path("", views.index)]
