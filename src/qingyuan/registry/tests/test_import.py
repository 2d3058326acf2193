import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from qingyuan.core import audit
from qingyuan.core.audit import verify_chain
from qingyuan.core.models import AuditEvent
from qingyuan.registry.importing import import_institutions, import_practitioners
from qingyuan.registry.models import Institution, Practitioner

from .conftest import ZHANG_ID, id_number, institution_row, practitioner_row

GOOD_ROWS = [
    institution_row(),
    institution_row(
        **{
            "机构名称": "吴中区长桥口腔诊所",
            "机构类别": "口腔诊所",
            "许可/备案": "诊所备案",
            "许可证号/备案号": "BA32050600002",
            "有效期至": "",
            "所在区划代码": "320506",
            "诊疗科目": "口腔科",
        }
    ),
]


def test_a_good_csv_creates_every_institution(regions, personas, write_csv):
    result = import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS))
    assert (result.created, result.updated, result.total) == (2, 0, 2)
    clinic = Institution.objects.get(licence_no="PDY32050600001")
    assert clinic.category == "clinic" and clinic.valid_until == dt.date(2030, 12, 31)
    assert clinic.region_id == "320506100201" and clinic.status == "valid"
    filing = Institution.objects.get(licence_no="BA32050600002")
    assert filing.licence_kind == "filing" and filing.valid_until is None


def test_a_gbk_encoded_csv_from_excel_on_windows_is_read(regions, personas, write_csv):
    result = import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS, encoding="gb18030"))
    assert result.created == 2
    assert Institution.objects.filter(name="吴中区长桥口腔诊所").exists()


def test_a_good_xlsx_with_real_excel_dates_and_numeric_codes_is_read(regions, personas, write_xlsx):
    rows = [
        institution_row(**{"有效期至": dt.datetime(2029, 3, 1), "所在区划代码": 320506}),
        institution_row(**{"许可证号/备案号": "PDY32050600009", "有效期至": 47000, "状态": None}),
        institution_row(**{"许可证号/备案号": "PDY32050600010", "有效期至": "2031/1/5"}),
    ]
    result = import_institutions(actor=personas["chief"], path=write_xlsx(rows))
    assert result.created == 3
    first = Institution.objects.get(licence_no="PDY32050600001")
    assert first.valid_until == dt.date(2029, 3, 1) and first.region_id == "320506"
    serial = Institution.objects.get(licence_no="PDY32050600009")
    assert serial.valid_until == dt.date(1899, 12, 30) + dt.timedelta(days=47000) and serial.status == "valid"
    assert Institution.objects.get(licence_no="PDY32050600010").valid_until == dt.date(2031, 1, 5)


def test_practitioners_import_with_their_institution_and_an_encrypted_id_number(
    regions, personas, write_csv, write_xlsx
):
    import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS))
    rows = [
        practitioner_row(),
        practitioner_row(
            **{
                "姓名": "李护士",
                "身份证号": "",
                "执业证书编码": "201800000001",
                "人员类型": "护士",
                "医师资格证书编码": "",
                "执业类别": "",
                "执业范围": "",
                "注册执业机构许可证号": "",
            }
        ),
    ]
    result = import_practitioners(actor=personas["clerk"], path=write_xlsx(rows, kind="practitioners"))
    assert result.created == 2
    doctor = Practitioner.objects.get(certificate_no="110320506000001")
    assert doctor.institution.licence_no == "PDY32050600001"
    assert doctor.id_number == ZHANG_ID
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM registry_practitioner WHERE id = %s", [doctor.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:") and ZHANG_ID not in stored
    assert (
        doctor.id_number_index and Practitioner.objects.get(certificate_no="201800000001").institution is None
    )


def test_a_file_with_bad_rows_is_refused_whole_and_every_bad_row_is_named(regions, personas, write_csv):
    rows = [
        institution_row(),
        institution_row(**{"许可证号/备案号": "PDY2", "机构类别": "大医院", "有效期至": "2024-13-01"}),
        institution_row(**{"许可证号/备案号": "PDY3", "所在区划代码": "999999"}),
        institution_row(**{"许可证号/备案号": "PDY32050600001"}),
        institution_row(**{"许可证号/备案号": "PDY5", "机构名称": ""}),
        institution_row(**{"许可证号/备案号": "PDY6", "所在区划代码": "320507"}),
        institution_row(**{"许可证号/备案号": "PDY7", "有效期至": "31.12.2030"}),
    ]
    with pytest.raises(ValidationError) as caught:
        import_institutions(actor=personas["clerk"], path=write_csv(rows))
    messages = caught.value.messages
    assert len(messages) == 6
    assert messages[0].startswith("第3行：机构类别“大医院”无效，应为医院、门诊部")
    assert "有效期至“2024-13-01”不是有效日期" in messages[0]
    assert messages[1] == "第4行：所在区划代码“999999”在平台中不存在"
    assert messages[2] == "第5行：许可证号/备案号“PDY32050600001”与第2行重复"
    assert messages[3] == "第6行：机构名称不能为空"
    assert messages[4] == "第7行：所在区划代码“320507”不在您的辖区内"
    assert messages[5].startswith("第8行：有效期至“31.12.2030”格式不对")
    assert not Institution.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_practitioner_rows_with_a_bad_id_number_or_unknown_institution_are_refused(
    regions, personas, write_csv
):
    import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS))
    rows = [
        practitioner_row(),
        practitioner_row(**{"执业证书编码": "X2", "身份证号": "320506198001010011"}),
        practitioner_row(**{"执业证书编码": "X3", "注册执业机构许可证号": "PDY404"}),
        practitioner_row(**{"执业证书编码": "X4", "人员类型": "赤脚医生"}),
    ]
    with pytest.raises(ValidationError) as caught:
        import_practitioners(actor=personas["clerk"], path=write_csv(rows, kind="practitioners"))
    assert caught.value.messages == [
        "第3行：身份证号：身份证号码校验位错误",
        "第4行：注册执业机构许可证号“PDY404”在平台中没有登记，请先导入该机构",
        "第5行：人员类型“赤脚医生”无效，应为执业医师、执业助理医师、乡村医生、护士、中医（专长）医师、其他卫生技术人员之一",
    ]
    assert not Practitioner.objects.exists()


def test_a_file_with_the_wrong_headers_is_refused_with_the_expected_ones(regions, personas, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("名称,地址\n某诊所,某地\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        import_institutions(actor=personas["clerk"], path=path)
    assert caught.value.messages[0].startswith("第1行：缺少列“机构名称”“机构类别”")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "旧版 Excel"),
        ("fake.xlsx", "机构名称\n".encode(), "不是有效的 Excel"),
        ("binary.csv", b"\x00\x01\x02PK" * 10, "不是 CSV 文本文件"),
        ("notes.txt", b"hello", "应为 .csv 或 .xlsx"),
    ],
)
def test_files_that_are_not_ledgers_are_refused_with_a_clear_reason(
    regions, personas, tmp_path, name, content, reason
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        import_institutions(actor=personas["clerk"], path=path)
    assert reason in caught.value.messages[0]


def test_error_list_is_capped_with_a_count_of_the_rest(regions, personas, write_csv, monkeypatch):
    from qingyuan.registry import importing

    monkeypatch.setattr(importing, "MAX_MESSAGES", 3)
    rows = [institution_row(**{"许可证号/备案号": f"N{i}", "所在区划代码": "999999"}) for i in range(5)]
    with pytest.raises(ValidationError) as caught:
        import_institutions(actor=personas["clerk"], path=write_csv(rows))
    assert caught.value.messages[-1] == "…另有2行错误" and len(caught.value.messages) == 4


def test_reimport_updates_by_licence_number_and_leaves_unchanged_rows_alone(regions, personas, write_csv):
    import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS))
    changed = [
        institution_row(**{"状态": "吊销", "诊疗科目": "内科"}),
        GOOD_ROWS[1],
        institution_row(**{"许可证号/备案号": "PDY32050600003", "机构名称": "新开诊所"}),
    ]
    result = import_institutions(actor=personas["chief"], path=write_csv(changed, name="again.csv"))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert Institution.objects.count() == 3
    clinic = Institution.objects.get(licence_no="PDY32050600001")
    assert clinic.status == "revoked" and clinic.departments == "内科"
    event = AuditEvent.objects.filter(action="import", target_id=str(clinic.pk)).latest("id")
    assert event.actor_name == "chief"
    assert event.before["status"] == "valid" and event.after["status"] == "revoked"
    assert "name" not in event.after  # only what changed


def test_every_imported_record_gets_one_audit_row_in_the_chain(regions, personas, write_csv):
    import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS))
    import_practitioners(actor=personas["clerk"], path=write_csv([practitioner_row()], kind="practitioners"))
    events = AuditEvent.objects.filter(action="import").order_by("id")
    assert [e.target_type for e in events] == ["registry.institution"] * 2 + ["registry.practitioner"]
    clinic = Institution.objects.get(licence_no="PDY32050600001")
    first = events[0]
    assert first.target_id == str(clinic.pk) and first.target_repr == clinic.name
    assert first.region_code == "320506100201" and first.actor_name == "clerk" and first.before is None
    assert first.after["licence_no"] == "PDY32050600001" and first.after["region"] == "320506100201"
    person = events[2]
    assert person.after["id_number"] == "3205**********" + ZHANG_ID[-4:]
    assert ZHANG_ID not in str(person.after)
    checked, broken, _reason = verify_chain()
    assert broken is None and checked == AuditEvent.objects.count()


def test_the_audit_snapshot_of_an_imported_record_is_the_same_as_for_a_saved_one(
    regions, personas, write_csv
):
    import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS))
    import_practitioners(actor=personas["clerk"], path=write_csv([practitioner_row()], kind="practitioners"))
    for model in (Institution, Practitioner):
        for record in model.objects.all():
            event = AuditEvent.objects.get(
                action="import", target_type=model._meta.label_lower, target_id=str(record.pk)
            )
            assert event.after == audit.snapshot(record)


def test_a_changed_id_number_is_audited_masked(regions, personas, write_csv):
    import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS))
    import_practitioners(actor=personas["clerk"], path=write_csv([practitioner_row()], kind="practitioners"))
    new_id = id_number("32050619850505002")
    path = write_csv([practitioner_row(**{"身份证号": new_id})], kind="practitioners", name="p2.csv")
    assert import_practitioners(actor=personas["clerk"], path=path).updated == 1
    event = AuditEvent.objects.filter(action="import").latest("id")
    assert event.before["id_number"].endswith(ZHANG_ID[-4:]) and event.after["id_number"].endswith(
        new_id[-4:]
    )
    assert new_id not in str(event.after) and Practitioner.objects.get().id_number == new_id


def test_an_officer_cannot_update_another_countys_institution_by_licence_number(regions, personas, write_csv):
    import_institutions(actor=None, path=write_csv([institution_row(**{"所在区划代码": "320507"})]))
    with pytest.raises(ValidationError) as caught:
        import_institutions(actor=personas["clerk"], path=write_csv(GOOD_ROWS[:1], name="mine.csv"))
    assert "已登记在您辖区以外" in caught.value.messages[0]
    assert Institution.objects.get().region_id == "320507"


def test_progress_is_reported_and_ends_with_done_equal_to_total(regions, personas, write_csv):
    calls = []
    import_institutions(
        actor=personas["clerk"], path=write_csv(GOOD_ROWS), progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (2, 2)


def test_command_imports_and_prints_the_result(regions, personas, write_csv, capsys):
    call_command("import_registry", "institutions", str(write_csv(GOOD_ROWS)), "--user", "clerk")
    assert "导入完成：共 2 行，新增 2" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="import", actor_name="clerk").count() == 2


def test_command_fails_with_the_error_lines(regions, personas, write_csv, capsys):
    path = write_csv([institution_row(**{"所在区划代码": "999999"})])
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_registry", "institutions", str(path))
    assert "第2行：所在区划代码“999999”在平台中不存在" in capsys.readouterr().err
    assert not Institution.objects.exists()
