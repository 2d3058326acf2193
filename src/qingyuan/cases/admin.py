from django.contrib import admin

from .models import CaseNumbering


@admin.register(CaseNumbering)
class CaseNumberingAdmin(admin.ModelAdmin):
    """Only the numbering rule is edited here; cases change through their services, with audit."""

    list_display = ["unit", "abbr", "pattern"]
