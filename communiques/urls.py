from django.urls import path

from . import views

app_name = "communiques"

urlpatterns = [
    path("", views.CommuniqueListView.as_view(), name="index"),
    path("communiques/<slug:slug>/", views.CommuniqueDetailView.as_view(), name="detail"),
]
