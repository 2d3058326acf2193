from django.urls import include, path

from . import document_views, national_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("templates/", document_views.template_admin, name="templates"),
    path("templates/<str:kind>/", document_views.template_download, name="template_download"),
    path("<int:pk>/", views.case_detail, name="detail"),
    # The national reporting system: a period's case cards, and the numbers it gave them.
    path("national/", national_views.national_export, name="national_export"),
    path("national/import/", national_views.national_import, name="national_import"),
    path("<int:pk>/national/", national_views.national_record, name="national_record"),
    path("<int:pk>/documents/<str:kind>/", document_views.case_document, name="document"),
    path(
        "<int:pk>/documents/<str:kind>/pdf/", document_views.case_document, {"pdf": True}, name="document_pdf"
    ),
    path(
        "<int:pk>/documents/<str:kind>/<int:record>/", document_views.record_document, name="record_document"
    ),
    path(
        "<int:pk>/documents/<str:kind>/<int:record>/pdf/",
        document_views.record_document,
        {"pdf": True},
        name="record_document_pdf",
    ),
    path("<int:pk>/receipts/<str:served>/", document_views.receipt, name="receipt"),
    path("<int:pk>/receipts/<str:served>/pdf/", document_views.receipt, {"pdf": True}, name="receipt_pdf"),
    path("<int:pk>/receipts/<str:served>/<int:record>/", document_views.receipt, name="record_receipt"),
    path(
        "<int:pk>/receipts/<str:served>/<int:record>/pdf/",
        document_views.receipt,
        {"pdf": True},
        name="record_receipt_pdf",
    ),
    path(
        "inspections/<int:pk>/documents/<str:kind>/",
        document_views.inspection_document,
        name="inspection_document",
    ),
    path(
        "inspections/<int:pk>/documents/<str:kind>/pdf/",
        document_views.inspection_document,
        {"pdf": True},
        name="inspection_document_pdf",
    ),
    path(
        "inspections/<int:pk>/documents/<str:kind>/<int:record>/",
        document_views.inspection_record_document,
        name="inspection_record_document",
    ),
    path(
        "inspections/<int:pk>/documents/<str:kind>/<int:record>/pdf/",
        document_views.inspection_record_document,
        {"pdf": True},
        name="inspection_record_document_pdf",
    ),
    path("<int:pk>/actions/<str:action>/", views.case_action, name="action"),
    # Referrals, judgments, crime criteria, re-inspections and look-backs.
    path("", include("qingyuan.cases.followup_urls")),
    # 延期/分期缴纳, 催告, 申请法院强制执行.
    path("", include("qingyuan.cases.enforcement_urls")),
    # The penalty procedure before the decision: 拟处罚, 告知, 陈述申辩, 听证, 法制审核, 集体讨论.
    path("", include("qingyuan.cases.penalty_urls")),
    path("", include("qingyuan.cases.record_urls")),
]
