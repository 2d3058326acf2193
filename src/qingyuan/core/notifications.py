from .models import Notification


def notify(users, text: str, url: str = "") -> int:
    """Tell each user once. Called from transaction.on_commit, so nothing is sent for a rolled-back change."""
    rows = [Notification(user=u, text=text[:300], url=url) for u in dict.fromkeys(users) if u is not None]
    Notification.objects.bulk_create(rows)
    return len(rows)
