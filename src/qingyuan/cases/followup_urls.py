from django.urls import path

from . import followup_views

urlpatterns = [
    path("<int:pk>/followup/", followup_views.followup_panel, name="followup_panel"),
]
