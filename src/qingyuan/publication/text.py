"""The public text of a served penalty decision, as its decision document prints it, cleared of
personal data by the typical cases' rules (portal.redaction): a citizen party as 张某, person names
masked, ID and phone numbers removed, addresses cut to the township. An organisation keeps its full
name (双公示: legal persons are named), person names inside it masked."""

from qingyuan.cases.documents import base as documents
from qingyuan.cases.documents import formatting as fmt
from qingyuan.portal.redaction import _clean, _party, ancestor_at
from qingyuan.regions.models import Level

# The text fields an officer reviews, with their labels (the redaction check names the field).
TEXT_FIELDS = {
    "number": "决定书文号",
    "party": "当事人",
    "facts": "主要违法事实",
    "legal_basis": "处罚依据",
    "penalty": "处罚内容",
    "authority": "处罚机关",
}


def prepared(decision) -> dict:
    case = decision.case
    township = ancestor_at(case.region, Level.TOWNSHIP)
    proposal = decision.proposal
    facts = (proposal.facts if proposal is not None and proposal.facts else "") or case.facts
    offence = decision.offence
    rows = documents.measure_rows(decision.measures.all().order_by("pk"))
    for row in rows:
        # A description (a list of goods) may name people or places: cleared like the facts.
        row["text"] = _clean(row["text"], case, township=township)
    return {
        "number": documents.number_for("decision", unit=case.unit, case=case),
        "case_number": case.number or "",
        "party": _party(case),
        "facts": _clean(facts, case, township=township) or f"当事人{offence.name}。",
        "legal_basis": f"{offence.name}；依据{fmt.basis(offence.basis)}",
        "penalty": documents.measures_text(rows),
        "authority": case.unit.name,
        "decided_on": decision.decided_on,
        "region": ancestor_at(case.region, Level.COUNTY),
    }
