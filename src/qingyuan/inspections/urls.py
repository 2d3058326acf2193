from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_create, name="create"),
    path("checklists/", views.checklist_list, name="checklists"),
    path("checklists/<int:template_pk>/items/", views.checklist_item_save, name="checklist_item_add"),
    path(
        "checklists/<int:template_pk>/items/<int:pk>/", views.checklist_item_save, name="checklist_item_edit"
    ),
    path("checklists/<int:template_pk>/toggle/", views.checklist_toggle, name="checklist_toggle"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
]
