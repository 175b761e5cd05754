"""Who may open what — the declared authorisation policy of every address (docs/architecture.md §40).

One entry per URL pattern (``namespace:name``; the route itself for an unnamed pattern; ``admin:*`` for
the whole Django admin) and one per API operation (its OpenAPI ``operationId``). Each says which
personas get through; everyone else is refused: an anonymous visitor is sent to a login page (401 from
the API), a signed-in account gets 403, or 404 where the object's existence must not be revealed
(``hidden``). The personas are described relative to the objects in the address: "the dossier" is a
dossier of citizen An's, received at the centre of commune A (centre A) and handled by commune A.

The authorisation matrix test (``tests/authz/test_matrix.py``) walks Django's URL resolver and the
API's operations, fills every parameter with a real object, asks as every persona and compares with
this table. A view or API operation without an entry here fails it, as does an entry no address has.

Plain data, no imports of the apps: the table documents the product, the views enforce it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PERSONAS: dict[str, str] = {
    "anonymous": "Khách chưa đăng nhập",
    "citizen": "Công dân An — người nộp các hồ sơ trong địa chỉ (chủ hồ sơ)",
    "citizen_other": "Công dân khác (không phải người nộp)",
    "organisation": "Tổ chức đăng nhập bằng định danh điện tử (không phải người nộp)",
    "account_no_role": "Tài khoản đã đăng nhập, không phải công dân/tổ chức, không có vai trò",
    "reception_a": "Cán bộ tiếp nhận tại TT PVHCC xã A (nơi nhận hồ sơ)",
    "specialist_a": "Chuyên viên UBND xã A (đang xử lý hồ sơ)",
    "division_head_a": "Trưởng phòng UBND xã A",
    "leader_a": "Lãnh đạo UBND xã A",
    "clerk_a": "Văn thư UBND xã A",
    "supervisor_a": "Giám sát TT PVHCC xã A",
    "unit_admin_a": "Quản trị đơn vị UBND xã A",
    "official_b": "Cán bộ xã B, mọi vai trò nghiệp vụ (đơn vị khác)",
    "specialist_dept": "Chuyên viên một Sở (đơn vị khác)",
    "leader_dept": "Lãnh đạo một Sở (đơn vị khác)",
    "unit_admin_dept": "Quản trị đơn vị của một Sở (đơn vị khác)",
    "report_viewer": "Người xem báo cáo toàn tỉnh",
    "province_admin": "Quản trị tỉnh",
    "superuser": "Quản trị hệ thống (superuser, is_staff)",
}

EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
OWNER = frozenset({"citizen"})
APPLICANTS = frozenset({"citizen", "citizen_other", "organisation"})
UNIT_A = frozenset(
    {"reception_a", "specialist_a", "division_head_a", "leader_a", "clerk_a", "supervisor_a", "unit_admin_a"}
)
OTHER_UNITS = frozenset({"official_b", "specialist_dept", "leader_dept", "unit_admin_dept"})
OVERSEERS = frozenset({"report_viewer", "province_admin"})
SUPERUSER = frozenset({"superuser"})
OFFICIALS = UNIT_A | OTHER_UNITS | OVERSEERS | SUPERUSER
# Casework roles in one of the dossier's units (``dossiers.rules.sees_personal_data``).
CASEWORKERS = UNIT_A | SUPERUSER
# Officials who reach the dossier's units by a role but see only figures (``rules.in_dossier_units``).
DOSSIER_UNITS = CASEWORKERS | OVERSEERS
NOBODY: frozenset[str] = frozenset()


def roles(*keys: str) -> frozenset[str]:
    """A named set of personas (``roles("leader_a", "supervisor_a")``), checked against ``PERSONAS``."""
    unknown = set(keys) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas: {sorted(unknown)}")
    return frozenset(keys)


@dataclass(frozen=True)
class Access:
    """Who gets through one address.

    ``allow``: the personas served. ``methods``: what the matrix asks (the first one GET for a page; a
    POST-only view declares ``("POST",)``; an unsafe method is asked of everyone, nothing it would write
    is kept). ``hidden``: the refused personas (besides anonymous) who must get 404, not 403 — an
    object's existence is not revealed to them. ``served``: statuses that count as served for this address
    (the API's 404 for unknown addresses, the monitor's 503). ``shows``: for a list of dossiers, the
    served personas whose answer may name An's dossiers (for the others they must be absent).
    ``note``: why, in a word. ``checked``: the personas the matrix asks.
    """

    allow: frozenset[str]
    methods: tuple[str, ...] = ("GET",)
    hidden: frozenset[str] = NOBODY
    served: tuple[int, ...] = ()
    note: str = ""
    checked: frozenset[str] = field(default=EVERYONE)
    shows: frozenset[str] | None = None


# A public address has no gate to pass: it is asked of one persona of each kind of session (none, VNeID
# citizen and organisation, password account without a role, official, overseer, superuser).
PUBLIC_SAMPLE = frozenset(
    {"anonymous", "citizen", "organisation", "account_no_role", "reception_a", "report_viewer", "superuser"}
)


def _public(note: str = "", *, methods: tuple[str, ...] = ("GET",), served: tuple[int, ...] = ()) -> Access:
    return Access(EVERYONE, methods=methods, served=served, note=note or "công khai", checked=PUBLIC_SAMPLE)


# Django admin: one door for the whole site (``signin.admin_site``): staff accounts with the second
# factor. Past the door, each model's own permissions decide (many models are read-only: their add and
# delete pages are 403 even to the superuser); those are asked of the admins by
# ``catalog/tests/test_admin_roles.py``. Here every admin address is asked of personas without any admin
# access, who must be refused; the superuser's way in is ``admin:index``.
_ADMIN_OUTSIDERS = frozenset({"anonymous", "citizen", "reception_a", "official_b"})
ADMIN = Access(
    SUPERUSER,
    checked=_ADMIN_OUTSIDERS,
    note="quản trị hệ thống (is_staff, xác thực hai bước); sau cửa: quyền của từng mô hình",
)

# Back office (``backoffice.access.official_required``): an official with an active role, else the
# officials' login (anonymous) or 403 (a citizen, an account without a role).
_ON_DOSSIER = Access(
    CASEWORKERS,
    hidden=OTHER_UNITS,
    note="vai trò nghiệp vụ tại đơn vị của hồ sơ; đơn vị khác: 404; xem báo cáo, quản trị tỉnh: 403",
)
_ON_DOSSIER_POST = Access(
    CASEWORKERS,
    methods=("POST",),
    hidden=OTHER_UNITS,
    note="như trang hồ sơ; sau đó bộ máy xử lý kiểm tra vai trò của bước và phiên bản hồ sơ",
)
# The applicant's pages (``portal.access.applicant_required``): a citizen or organisation, else the
# portal's national-identity login (anonymous) or 403 (officials and other accounts); another
# applicant's dossier, file, draft or document: 404.
_MINE = Access(OWNER, hidden=APPLICANTS - OWNER, note="chủ hồ sơ; người nộp khác: 404")
_MINE_POST = Access(
    OWNER, methods=("POST",), hidden=APPLICANTS - OWNER, note="chủ hồ sơ; người nộp khác: 404"
)
_APPLICANT = Access(APPLICANTS, shows=OWNER, note="công dân, tổ chức đăng nhập (danh sách của chính họ)")
_APPLICANT_POST = Access(APPLICANTS, methods=("POST",), note="công dân, tổ chức đăng nhập")
# Dashboards (``backoffice.dashboards.DASHBOARD_ROLES``): leaders, supervisors, unit admins, overseers.
_DASHBOARD = roles(
    "leader_a",
    "supervisor_a",
    "unit_admin_a",
    "official_b",
    "leader_dept",
    "unit_admin_dept",
    "report_viewer",
    "province_admin",
    "superuser",
)
# Who may find the dossier in a list: its units' caseworkers, and the overseers (initials only).
_SEES_A = CASEWORKERS | OVERSEERS
_RECEPTION = roles("reception_a", "official_b", "superuser")  # reception at some centre
_PASSWORD_ACCOUNTS = OFFICIALS | {"account_no_role"}  # an officials' sign-in account (not VNeID)
_PASSWORD = Access(
    _PASSWORD_ACCOUNTS, checked=PUBLIC_SAMPLE, note="tài khoản đăng nhập bằng mật khẩu (không VNeID)"
)
_PASSWORD_POST = Access(
    _PASSWORD_ACCOUNTS, methods=("POST",), checked=PUBLIC_SAMPLE, note="tài khoản đăng nhập bằng mật khẩu"
)

URLS: dict[str, Access] = {
    "admin:*": ADMIN,
    "admin:index": Access(SUPERUSER, checked=_ADMIN_OUTSIDERS | SUPERUSER, note="quản trị hệ thống"),
    "admin:login": Access(
        NOBODY,
        checked=_ADMIN_OUTSIDERS | SUPERUSER,
        note="chuyển sang đăng nhập cán bộ; người đã đăng nhập: 403 (không có form mật khẩu riêng)",
    ),
    "admin:logout": Access(EVERYONE, served=(302,), checked=_ADMIN_OUTSIDERS, note="đăng xuất"),
    # Health and monitoring: public, no data (the job queue's 503 says it is late, for the monitor).
    "healthz": _public(),
    "healthz_live": _public(),
    "healthz_ready": _public(),
    "healthz_jobs": _public("công khai; 503 khi hàng đợi chậm", served=(503,)),
    # Prometheus: served to MOTCUA_METRICS_ALLOWED_IPS (loopback by default, as the test client is) or a
    # bearer token; any other address gets 404 (core/tests/test_observability.py asks from elsewhere).
    "metrics": _public("số liệu Prometheus: chỉ địa chỉ được phép hoặc mã bearer"),
    "api/v1/calendar/due": _public("API lịch làm việc (đường tắt của thao tác motcua_worktime_api_due)"),
    "^api/(?P<rest>.*)$": _public("địa chỉ API không tồn tại: 404 cho mọi người", served=(404,)),
    "set_language": _public("chọn ngôn ngữ", methods=("POST",)),
    # Officials' sign-in and security (motcua.signin).
    "backoffice:login": _public("đăng nhập cán bộ; người đã đăng nhập được chuyển tiếp"),
    "backoffice:logout": _public("đăng xuất, về trang đăng nhập", methods=("POST",), served=(302,)),
    "signin:second_factor": Access(
        NOBODY, note="bước hai của đăng nhập: chỉ trong lúc đăng nhập (mọi người khác về trang đăng nhập)"
    ),
    # The account's own security: every password account; the gate is the kind of account, not a role,
    # so it is asked of one persona of each kind (``PUBLIC_SAMPLE``).
    "signin:security": _PASSWORD,
    "signin:enrol": _PASSWORD,
    "signin:recovery_codes_new": _PASSWORD_POST,
    "signin:second_factor_off": _PASSWORD_POST,
    "signin:sessions_end": _PASSWORD_POST,
    "signin:security_keys": _PASSWORD,
    # Security keys (django-otp-webauthn, signin.webauthn): registration needs a session verified with
    # the app's code (nobody here has one), authentication a pending login (password step passed).
    "otp_webauthn:credential-registration-begin": Access(
        NOBODY, methods=("POST",), note="thêm khóa: chỉ phiên đã xác thực hai bước bằng ứng dụng"
    ),
    "otp_webauthn:credential-registration-complete": Access(
        NOBODY, methods=("POST",), note="thêm khóa: chỉ phiên đã xác thực hai bước bằng ứng dụng"
    ),
    "otp_webauthn:credential-authentication-begin": Access(
        NOBODY, methods=("POST",), note="đăng nhập bằng khóa: chỉ trong lúc đăng nhập (sau mật khẩu)"
    ),
    "otp_webauthn:credential-authentication-complete": Access(
        NOBODY, methods=("POST",), note="đăng nhập bằng khóa: chỉ trong lúc đăng nhập (sau mật khẩu)"
    ),
    "otp_webauthn:js-i18n-catalog": _public("bản dịch của mã khóa bảo mật"),
    "signin:lockouts": Access(
        roles("unit_admin_a", "unit_admin_dept", "province_admin", "superuser"),
        note="quản trị đơn vị (cán bộ đơn vị mình), quản trị tỉnh",
    ),
    # Back office: lists filtered to the official's units.
    "backoffice:queue": Access(OFFICIALS, shows=_SEES_A, note="mọi cán bộ (việc của tôi, đơn vị của tôi)"),
    "backoffice:personal_data_export": Access(
        roles("unit_admin_a", "unit_admin_dept", "superuser"),
        note="quản trị đơn vị: xuất dữ liệu cá nhân theo yêu cầu của người dân (ghi nhật ký)",
    ),
    "backoffice:feedback_list": Access(
        OFFICIALS, shows=CASEWORKERS, note="mọi cán bộ; phản ánh của đơn vị mình"
    ),
    "backoffice:tokens": Access(OFFICIALS, note="mã truy cập của chính mình"),
    "backoffice:token_create": Access(OFFICIALS, methods=("POST",), note="mã truy cập của chính mình"),
    "backoffice:token_rotate": Access(
        roles("reception_a"), methods=("POST",), hidden=OFFICIALS - {"reception_a"}, note="chủ mã truy cập"
    ),
    "backoffice:token_revoke": Access(
        roles("reception_a"), methods=("POST",), hidden=OFFICIALS - {"reception_a"}, note="chủ mã truy cập"
    ),
    "backoffice:signing": Access(OFFICIALS, shows=CASEWORKERS, note="mọi cán bộ; hồ sơ chờ chính mình ký"),
    "backoffice:signing_batch": Access(
        roles("leader_a"), hidden=OFFICIALS - {"leader_a"}, note="người tạo lô ký"
    ),
    # Back office: one dossier of unit A.
    "backoffice:dossier_detail": _ON_DOSSIER,
    "backoffice:dossier_action": _ON_DOSSIER_POST,
    "backoffice:component_download": _ON_DOSSIER,
    "backoffice:result_download": _ON_DOSSIER,
    "backoffice:dossier_form_pdf": _ON_DOSSIER,
    "backoffice:result_draft_pdf": _ON_DOSSIER,
    "backoffice:result_draft_upload": _ON_DOSSIER_POST,
    "backoffice:dossier_payments": _ON_DOSSIER,
    "backoffice:counter_payment": _ON_DOSSIER_POST,
    "backoffice:payment_refund": _ON_DOSSIER_POST,
    "backoffice:receipt_pdf": _ON_DOSSIER,
    "backoffice:result_preview": _ON_DOSSIER,
    "backoffice:result_printout": _ON_DOSSIER,
    "backoffice:feedback_answer": _ON_DOSSIER_POST,
    # Back office: intake at a counter (reception officials of a centre).
    "backoffice:intake_start": Access(_RECEPTION, note="cán bộ tiếp nhận của một trung tâm"),
    "backoffice:intake_form": Access(_RECEPTION, note="cán bộ tiếp nhận của một trung tâm"),
    "backoffice:intake_population_lookup": Access(
        _RECEPTION,
        methods=("POST",),
        served=(503,),
        note="cán bộ tiếp nhận (CSDL dân cư: 503 khi không kết nối)",
    ),
    "backoffice:intake_notice": Access(
        roles("reception_a", "superuser"),
        hidden=OFFICIALS - {"reception_a", "superuser"},
        note="cán bộ tiếp nhận của trung tâm đã lập phiếu",
    ),
    "backoffice:intake_notice_pdf": Access(
        roles("reception_a", "superuser"),
        hidden=OFFICIALS - {"reception_a", "superuser"},
        note="cán bộ tiếp nhận của trung tâm đã lập phiếu",
    ),
    # Back office: oversight of units (figures, lists with initials only).
    "backoffice:unit": Access(
        _DASHBOARD, shows=_SEES_A, note="lãnh đạo, giám sát, quản trị đơn vị; xem báo cáo"
    ),
    "backoffice:ledger_pdf": Access(
        _DASHBOARD - OVERSEERS, note="sổ theo dõi (có thông tin cá nhân): lãnh đạo, giám sát, quản trị đơn vị"
    ),
    "backoffice:risks": Access(
        shows=_SEES_A,
        allow=roles(
            "leader_a",
            "supervisor_a",
            "official_b",
            "leader_dept",
            "report_viewer",
            "province_admin",
            "superuser",
        ),
        note="lãnh đạo, giám sát; xem báo cáo, quản trị tỉnh",
    ),
    "backoffice:dashboard": Access(_DASHBOARD, shows=_SEES_A, note="bảng điều hành"),
    "backoffice:dashboard_dossiers": Access(_DASHBOARD, shows=_SEES_A, note="bảng điều hành"),
    "backoffice:dashboard_export": Access(_DASHBOARD, note="bảng điều hành"),
    "backoffice:periodic_report": Access(_DASHBOARD, note="bảng điều hành"),
    "backoffice:reconciliation": Access(
        _DASHBOARD, shows=_SEES_A, note="đối soát thanh toán: lãnh đạo, giám sát, quản trị"
    ),
    # Public pages: catalogue, assistant, kiosk, tracking, verification, transparency, open data.
    "catalog:home": _public(),
    "catalog:procedure_search": _public(),
    "catalog:procedure_detail": _public(),
    "assistant:page": _public(),
    "assistant:message": _public(methods=("POST",)),
    "assistant:clear": _public(methods=("POST",)),
    "assistant:open": _public(),
    "kiosk:home": _public(),
    "kiosk:message": _public(methods=("POST",)),
    "kiosk:clear": _public(methods=("POST",)),
    "portal:tracking": _public(),
    "portal:tra-cuu/": _public(),
    "portal:tracking_detail": _public("công khai; chi tiết mở khóa bằng 4 số cuối điện thoại/giấy tờ"),
    "portal:tracking_result": _public("tải kết quả sau khi mở khóa", methods=("POST",)),
    "portal:verify": _public(),
    # Personal data (Decree 13/2023; motcua.privacy): who viewed the applicant's data, and all of it as
    # a file — each applicant their own.
    "portal:personal_data": Access(
        APPLICANTS, note="công dân, tổ chức: nhật ký truy cập dữ liệu của chính mình"
    ),
    "portal:personal_data_download": Access(
        APPLICANTS, methods=("POST",), note="công dân, tổ chức: toàn bộ dữ liệu của chính mình"
    ),
    "portal:audit_seals": _public(),
    "portal:audit_seals_json": _public(),
    "portal:audit_seals_csv": _public(),
    "portal:transparency": _public(),
    "portal:open_data": _public(),
    "portal:open_data_catalog": _public(),
    "portal:open_data_download": _public(),
    "payments:receipt_verify": _public("mã QR trên biên lai; chỉ tên viết tắt"),
    "payments:ipn": _public("thông báo của cổng thanh toán (chữ ký của cổng được kiểm tra)"),
    # Portal login (national identity); the provider is not reachable in tests (503).
    "portal:login": _public("công khai; người nộp đã đăng nhập được chuyển tiếp"),
    "portal:login_start": _public("chuyển sang Cổng định danh", served=(503,)),
    "portal:login_callback": _public("trở về từ Cổng định danh (state được kiểm tra)"),
    "portal:logout": _public("đăng xuất", methods=("POST",), served=(302,)),
    # The applicant's pages.
    "portal:my_dossiers": _APPLICANT,
    "portal:my_dossier_detail": _MINE,
    "portal:my_dossier_supplement": _MINE_POST,
    "portal:my_dossier_withdraw": Access(OWNER, methods=("GET", "POST"), hidden=APPLICANTS - OWNER),
    "portal:my_dossier_file": _MINE,
    "portal:my_dossier_result": _MINE,
    "portal:my_dossier_form_pdf": _MINE,
    "portal:my_dossier_pay": Access(OWNER, methods=("GET", "POST"), hidden=APPLICANTS - OWNER),
    "portal:my_dossier_receipt": _MINE,
    "portal:my_dossier_rate": _MINE_POST,
    "portal:my_dossier_feedback": _MINE_POST,
    "portal:payment_return": Access(APPLICANTS, note="trở về từ cổng thanh toán (giao dịch của chính mình)"),
    "portal:notifications": _APPLICANT,
    "portal:drafts": _APPLICANT,
    "portal:draft_discard": _MINE_POST,
    "portal:submit_start": Access(APPLICANTS, methods=("GET", "POST"), note="công dân, tổ chức"),
    "portal:submit_step": Access(OWNER, methods=("GET", "POST"), hidden=APPLICANTS - OWNER),
    "portal:submit_send": _MINE_POST,
    "portal:submit_done": _MINE,
    "portal:datastore": _APPLICANT,
    "portal:datastore_download": _MINE,
    "portal:datastore_delete": _MINE_POST,
}

# API v1 (``motcua/api.py``): public routers without credentials; the others take an API token or a
# session (``identity.auth.api_auth``): 401 without. One dossier: visible to its applicant and the
# officials of its units (others 404), its content not to overseers (403).
_API_DOSSIER = Access(
    CASEWORKERS | OWNER,
    hidden=APPLICANTS - OWNER | OTHER_UNITS | {"account_no_role"},
    note="người nộp và cán bộ nghiệp vụ tại đơn vị của hồ sơ; khác: 404; xem báo cáo: 403",
)
_API_ACTION = Access(
    CASEWORKERS | OWNER,
    hidden=_API_DOSSIER.hidden,
    note="như hồ sơ; sau đó bộ máy xử lý kiểm tra vai trò của bước và phiên bản hồ sơ (409, 403)",
)
API: dict[str, Access] = {
    "motcua_catalog_api_procedure_list_api": _public(),
    "motcua_catalog_api_procedure_detail_api": _public(),
    "motcua_org_api_units_list": _public(),
    "motcua_org_api_units_get": _public(),
    "motcua_worktime_api_due": _public(),
    "motcua_worktime_api_days": _public(),
    "motcua_portal_api_public_dossier_get": _public("tra cứu công khai"),
    "motcua_signing_api_verify": _public("xác thực kết quả điện tử"),
    "motcua_assistant_api_assistant_ask": _public("trợ lý ảo"),
    "motcua_assistant_api_assistant_clear": _public("trợ lý ảo (cuộc hội thoại)", served=(404,)),
    "motcua_dossiers_api_dossiers_list": Access(
        SIGNED_IN, shows=_SEES_A | OWNER, note="đã xác thực; chỉ hồ sơ của mình / đơn vị mình"
    ),
    "motcua_dossiers_api_dossiers_search": Access(
        SIGNED_IN,
        methods=("POST",),
        shows=_SEES_A | OWNER,
        note="như danh sách, điều kiện trong thân yêu cầu (không có dữ liệu cá nhân trong địa chỉ)",
    ),
    "motcua_dossiers_api_dossiers_get": _API_DOSSIER,
    "motcua_dossiers_api_dossiers_result_download": _API_DOSSIER,
    "motcua_dossiers_api_dossiers_submit": Access(
        APPLICANTS | roles("reception_a", "superuser"),
        note="công dân, tổ chức; cán bộ tiếp nhận của trung tâm nhận hồ sơ; tài khoản dịch vụ được cấp quyền",
    ),
    "motcua_identity_api_id_card_qr_read": Access(
        OFFICIALS | {"account_no_role"}, note="cán bộ và tài khoản dịch vụ"
    ),
    **{
        f"dossiers_{action}": _API_ACTION
        for action in (
            "accept",
            "refuse",
            "claim",
            "reassign",
            "forward",
            "send_back",
            "transfer",
            "transfer_back",
            "request_supplement",
            "receive_supplement",
            "request_payment",
            "record_payment",
            "approve",
            "reject",
            "record_signature",
            "sign_result",
            "mark_result_ready",
            "return_result",
            "withdraw",
            "stop",
            "extend",
        )
    },
}
