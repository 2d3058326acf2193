"""Importing historical ledgers (台账) of unlicensed-practice work, so that the official forms of
past years come out right: the template, the whole-file check and the all-or-nothing write.

    ledger_import(actor=user, content=bytes, file_name="2019台账.xlsx")  -> LedgerImport
    ledger_import(actor=user, content=bytes, file_name="对象.csv", kind="subjects")
    ledger_import(..., progress=callback)   # callback(phase, done, total), for a job page to show
    ledger_import(actor=user, content=bytes, file_name="台账.xlsx")  # the one-sheet template (flat.py)

Any problem raises ValidationError whose messages list every error ("工作表「案件」第5行「立案日期」：…");
nothing is written then. A ledger that passes may carry warnings (a 发现日期 later than the site's
first event, taken as that event's date): the returned LedgerImport has them as `.warnings`, and
`import_warnings(record)` reads them later. docs/ledger.md describes the templates sheet by sheet. The web upload runs
ledger_import in a background job (jobs.py); the command `import_ledger` calls it directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from qingyuan.core.scoping import jurisdiction_prefix

from ..models import LedgerImport
from . import writing
from .checking import Checker
from .columns import HELP_SHEET, SHEETS, SHEETS_BY_KEY
from .flat import FLAT, FLAT_KEY
from .reading import read_ledger
from .template import ledger_csv_template, ledger_flat_template, ledger_template
from .writing import Writer, already_imported, earlier_import_of, import_warnings

__all__ = [
    "CHECKING",
    "FLAT",
    "FLAT_KEY",
    "HELP_SHEET",
    "WRITING",
    "clean_file_name",
    "SHEETS",
    "SHEETS_BY_KEY",
    "import_warnings",
    "ledger_csv_template",
    "ledger_flat_template",
    "ledger_import",
    "ledger_template",
    "require_import",
]


CHECKING, WRITING = "checking", "writing"


def clean_file_name(file_name: str) -> str:
    """The name as the user knows it, without any folder a browser or a script sent along."""
    return PurePath(file_name.replace("\\", "/")).name[:200] or "台账"


def require_import(actor) -> None:
    """The page, the job and the command `import_ledger` all write through here, so the permission
    the upload page asks for is checked here too: a script given the 审计管理员's account is refused."""
    if actor is None or not getattr(actor, "can", None) or not actor.can("reports.import"):
        raise PermissionDenied("您没有导入历史台账的权限")


def ledger_import(
    *,
    actor,
    content: bytes,
    file_name: str,
    kind: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LedgerImport:
    """Check the whole file, then write all of it in one transaction, or nothing.

    `progress`, when given, is called as ("checking", rows read, rows in the file) for every row
    whose cells have been read, then once as ("writing", total, total) when every check has passed.
    """
    require_import(actor)
    prefix = jurisdiction_prefix(actor)
    if prefix is None or actor.unit_id is None:
        raise ValidationError(["您的账号没有所属单位或已停用，不能导入"])
    file_name = clean_file_name(file_name)
    sha256 = hashlib.sha256(content).hexdigest()
    writing.refuse_same_file(sha256)
    # A one-sheet ledger comes back split into the sheets of the workbook template (flat.py), with
    # the problems of the split (conflicting site cells) to report with the others.
    found, problems = read_ledger(content, file_name, kind)
    on_row = None if progress is None else (lambda done, total: progress(CHECKING, done, total))
    checker = Checker(actor=actor, prefix=prefix, found=found, progress=on_row, problems=problems)
    checked = checker.run()
    if checked is None:
        raise ValidationError(checker.errors.messages())
    if progress is not None:
        total = sum(len(rows) for rows in checked.rows.values())
        progress(WRITING, total, total)
    try:
        with transaction.atomic():
            return Writer(checked, actor=actor, file_name=file_name, sha256=sha256).run()
    except IntegrityError:
        # The transaction has rolled back whole. The same file imported by another unit at the same
        # moment (the constraint on LedgerImport.sha256) is named like any earlier import; other
        # changes committed meanwhile (the same 案件文号 saved by hand, the same 对象编号 imported by
        # another unit of the county, a region deleted) show when the file is checked again.
        earlier = earlier_import_of(sha256)
        if earlier is not None:
            raise ValidationError([already_imported(earlier)]) from None
        raise ValidationError(["导入期间相关数据被他人修改，本次未写入任何数据，请重新导入"]) from None
