from django.urls import path

from . import penalty_views as views

urlpatterns = [
    path("<int:pk>/penalty/legal-review/submit/", views.submit_legal_review, name="penalty_submit_review"),
    path("<int:pk>/penalty/time-bar/", views.time_bar, name="penalty_time_bar"),
    path("<int:pk>/penalty/<str:action>/", views.step_page, name="penalty_step"),
]
