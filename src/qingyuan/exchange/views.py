"""Administrator pages of the exchange: the platforms we read, their last pull and errors, what they
sent, and which partner systems read our feed. 系统管理员 sees no case content (SECURITY.md 三员分立),
so received records appear without party names or identity hashes; officers meet external records
only where they matter, in the crime criteria of their own cases."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from qingyuan.core.permissions import require_perm

from .models import ExchangePeer, ExchangeSubscription, ExportEntry, ExportLogState


@require_perm("exchange.manage")
def peers(request):
    state = ExportLogState.objects.filter(pk=1).first()
    return render(
        request,
        "exchange/peers.html",
        {
            "title": "处罚信息共享",
            "enabled": settings.QINGYUAN_EXCHANGE_ENABLED,
            "peers": ExchangePeer.objects.all(),
            "subscriptions": ExchangeSubscription.objects.select_related("partner").order_by("partner__name"),
            "log_entries": ExportEntry.objects.count(),
            "log_state": state,
        },
    )


@require_perm("exchange.manage")
def peer_detail(request, pk):
    peer = get_object_or_404(ExchangePeer, pk=pk)
    page = Paginator(peer.records.order_by("-decided_on", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "exchange/peer_detail.html", {"title": peer.name, "peer": peer, "page": page})
