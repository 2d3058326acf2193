"""The upload form of the ledger import page."""

from django import forms

from qingyuan.core.forms import StyledForm

from .ledger import FLAT, SHEETS
from .ledger.reading import MAX_BYTES


class LedgerUploadForm(StyledForm):
    file = forms.FileField(
        label="台账文件",
        help_text="整份台账：按平台模板（分表模板或一表式台账模板）填写的 Excel（.xlsx）；"
        "单张表：CSV（UTF-8 或 GBK 编码），并在下面选择是哪张表。"
        "整份文件先全部校验，有任何错误都不写入。",
    )
    kind = forms.ChoiceField(
        label="CSV 文件是哪张表",
        required=False,
        choices=[("", "（Excel 整份台账不用选）")] + [(s.key, s.name) for s in (*SHEETS, FLAT)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1048576:.1f} MB），单个文件不能超过 {MAX_BYTES // 1048576} MB"
            )
        return upload
