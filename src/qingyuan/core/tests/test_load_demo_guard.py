"""Demo accounts (with a printed password) never reach a production database by a slip: load_demo
refuses when DEBUG is off, unless the embedded setup (QINGYUAN_DEV_KEYS) runs it or --force is given."""

import io

import pytest
from django.core.management import CommandError, call_command


@pytest.fixture
def loaded(monkeypatch):
    """Stands in for the loader itself (slow, and tested elsewhere): records whether it ran."""
    calls = []
    monkeypatch.setattr(
        "qingyuan.core.management.commands.load_demo.load_demo", lambda: calls.append(1) or []
    )
    monkeypatch.setattr("qingyuan.core.management.commands.load_demo.demo_password", lambda: "x")
    return calls


def _run(*args):
    call_command("load_demo", *args, stdout=io.StringIO())


def test_refused_on_a_production_server(settings, loaded):
    settings.DEBUG, settings.DEV_KEYS = False, False
    with pytest.raises(CommandError, match="拒绝加载演示数据：DEBUG 未开启.*请加 --force"):
        _run()
    assert loaded == []


def test_force_loads_it_anyway(settings, loaded):
    settings.DEBUG, settings.DEV_KEYS = False, False
    _run("--force")
    assert loaded == [1]


@pytest.mark.parametrize(("debug", "dev_keys"), [(True, False), (False, True)])
def test_development_and_the_embedded_setup_need_no_flag(settings, loaded, debug, dev_keys):
    settings.DEBUG, settings.DEV_KEYS = debug, dev_keys
    _run()
    assert loaded == [1]


def test_the_embedded_setup_declares_itself_before_loading_the_demo(settings):
    script = (settings.BASE_DIR / "scripts" / "dev.sh").read_text()
    assert script.index("export QINGYUAN_DEV_KEYS=1") < script.index("manage load_demo")
