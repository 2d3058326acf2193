from django.db import transaction

from .models import Sequence


def next_value(name: str) -> int:
    """The next number of a named sequence; gap-free and safe under concurrent requests (row lock)."""
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name)
        sequence = Sequence.objects.select_for_update().get(name=name)
        sequence.value += 1
        sequence.save(update_fields=["value"])
        return sequence.value
