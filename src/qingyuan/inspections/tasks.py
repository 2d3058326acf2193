"""Scheduled jobs of inspections (core.schedule)."""

from qingyuan.core.schedule import Report, scheduled

from . import services


@scheduled("inspections.evidence_verify", "证据文件SHA-256校验（被改动或缺失的告知系统管理员）", "30 2 * * *")
def evidence_verify():
    checked, failed = services.verify_nightly()
    if failed:
        return Report(
            count=checked, summary=f"共校验 {checked} 个文件，{len(failed)} 个被改动或缺失", alert=True
        )
    return Report(count=checked, summary=f"共校验 {checked} 个文件，全部完好")
