"""Personas (STYLE.md §8) and a small region tree shared by every app's tests.

苏州市 (3205) with two neighbouring counties: 吴中区 (320506) and 相城区 (320507).
- alice: inspector, 吴中区卫生监督所      - bob: colleague of alice, same unit
- carol: inspector of the neighbouring county (相城区)
- dave: leader at the city (苏州市卫健委)   - the public: not logged in
- sam: 系统管理员 at the city; sec: 安全管理员; aud: 审计管理员
"""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingyuan.accounts.models import User
from qingyuan.accounts.roles import ADMIN_ROLES, Role
from qingyuan.regions.models import Level, Region, Unit, UnitKind

PASSWORD = "Qingyuan#2024"


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_at_once():
    # Huey's immediate mode: a task runs in the caller as it is enqueued (in memory, no consumer), so
    # a test follows a job to its end. The queue itself is exercised by the production-stack CI stage.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests create many accounts. test_passwords_are_hashed_with_argon2
    # checks the production setting itself.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _workday_cache_per_test():
    # A test that changes a workday override marks its thread's overrides "uncommitted" for as long as
    # a transaction is open; the test's transaction is rolled back, never committed, so without this
    # the mark would outlive the test and every later test would read the overrides uncached.
    from qingyuan.core import workdays

    yield
    workdays._local.dirty = False
    workdays.clear_workday_cache()


def make_region(code, name, level, parent=None, urban_rural_class=""):
    full = (parent.full_name if parent else "") + name
    return Region.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        full_name=full,
        prefix=Region.prefix_for(code, level),
        urban_rural_class=urban_rural_class,
    )


@pytest.fixture
def regions(db):
    js = make_region("320000", "江苏省", Level.PROVINCE)
    sz = make_region("320500", "苏州市", Level.CITY, js)
    wz = make_region("320506", "吴中区", Level.COUNTY, sz)
    xc = make_region("320507", "相城区", Level.COUNTY, sz)
    town = make_region("320506100", "木渎镇", Level.TOWNSHIP, wz)
    village = make_region("320506100201", "金星村委会", Level.VILLAGE, town, urban_rural_class="220")
    community = make_region("320506100001", "山塘社区居委会", Level.VILLAGE, town, urban_rural_class="111")
    xc_town = make_region("320507100", "黄埭镇", Level.TOWNSHIP, xc)
    xc_village = make_region("320507100201", "三埂村委会", Level.VILLAGE, xc_town, urban_rural_class="220")
    return {
        "province": js,
        "city": sz,
        "wuzhong": wz,
        "xiangcheng": xc,
        "town": town,
        "village": village,
        "community": community,
        "xc_town": xc_town,
        "xc_village": xc_village,
    }


@pytest.fixture
def units(regions):
    city = Unit.objects.create(
        name="苏州市卫生健康委员会", kind=UnitKind.HEALTH_COMMISSION, region=regions["city"]
    )
    wz = Unit.objects.create(
        name="吴中区卫生监督所", kind=UnitKind.SUPERVISION_INSTITUTE, region=regions["wuzhong"], parent=city
    )
    xc = Unit.objects.create(
        name="相城区卫生监督所",
        kind=UnitKind.SUPERVISION_INSTITUTE,
        region=regions["xiangcheng"],
        parent=city,
    )
    return {"city": city, "wuzhong": wz, "xiangcheng": xc}


def make_user(username, unit, role, full_name, credential_no=""):
    user = User(
        username=username,
        unit=unit,
        role=role,
        full_name=full_name,
        credential_no=credential_no,
        must_change_password=False,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def personas(units):
    return {
        "alice": make_user("alice", units["wuzhong"], Role.INSPECTOR, "李爱丽", "32050601001"),
        "bob": make_user("bob", units["wuzhong"], Role.INSPECTOR, "王博", "32050601002"),
        "carol": make_user("carol", units["xiangcheng"], Role.INSPECTOR, "陈可", "32050701001"),
        "dave": make_user("dave", units["city"], Role.LEADER, "赵大伟"),
        "chief": make_user("chief", units["wuzhong"], Role.CHIEF, "孙志强"),
        "clerk": make_user("clerk", units["wuzhong"], Role.CLERK, "周晓"),
        "sam": make_user("sam", units["city"], Role.SYSADMIN, "钱森"),
        "sec": make_user("sec", units["city"], Role.SECADMIN, "吴安"),
        "aud": make_user("aud", units["city"], Role.AUDITOR, "郑审"),
    }


@pytest.fixture
def login(personas):
    """login("alice") -> a Client logged in as that persona."""

    def _login(name):
        client = Client()
        user = personas[name]
        client.force_login(user)
        if user.role in ADMIN_ROLES:
            # Administrators must pass two-factor login; here as if they had entered a valid code.
            device = TOTPDevice.objects.get_or_create(user=user, name="测试", defaults={"confirmed": True})[0]
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login
