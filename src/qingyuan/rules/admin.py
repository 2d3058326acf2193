from django.contrib import admin

from .models import Offence, TimeLimit


class ReadOnlyAdmin(admin.ModelAdmin):
    """Versions are added through the rules pages, which end the previous version and audit; the
    admin site only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Offence)
class OffenceAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "fine_kind", "effective_from", "effective_to", "unverified"]
    list_filter = ["fine_kind", "illegal_practice", "unverified"]
    search_fields = ["code", "name", "basis"]


@admin.register(TimeLimit)
class TimeLimitAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "amount", "unit", "effective_from", "effective_to"]
    search_fields = ["code", "name", "basis"]
