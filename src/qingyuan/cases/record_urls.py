from django.urls import path

from . import record_views as views

urlpatterns = [
    path("<int:pk>/records/<str:kind>/new/", views.case_record_new, name="record_new"),
    path(
        "inspection-records/<int:pk>/<str:kind>/new/",
        views.inspection_record_new,
        name="inspection_record_new",
    ),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("holds/<int:pk>/", views.hold_detail, name="hold"),
    path("holds/<int:pk>/decide/", views.hold_decide, name="hold_decide"),
]
