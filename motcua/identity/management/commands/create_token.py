"""``motcua create-token USERNAME [--name NAME] [--new-service NAME] [--can-submit]``: create an API
token, print it once.

``--new-service`` first creates USERNAME as a service account (tài khoản dịch vụ) named NAME.
``--can-submit`` grants the account the permission to submit dossiers (``dossiers.submit_dossier``),
which a service account needs for ``POST /api/v1/dossiers``; citizens, organisations and reception
officials submit without it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import Account
from motcua.accounts.services import account_permission_grant, service_account_create
from motcua.identity.services import api_token_create


class Command(BaseCommand):
    help = (
        "Tạo mã truy cập API cho tài khoản USERNAME và in ra một lần duy nhất "
        "(create an API token for USERNAME; it is printed once and never stored)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Tên đăng nhập của tài khoản (tài khoản dịch vụ hoặc cán bộ)")
        parser.add_argument("--name", default="", help="Tên gợi nhớ của mã, ví dụ «Cổng DVCQG»")
        parser.add_argument(
            "--new-service",
            metavar="NAME",
            default=None,
            help="Tạo trước tài khoản dịch vụ USERNAME với tên NAME (create USERNAME as a service account)",
        )
        parser.add_argument(
            "--can-submit",
            action="store_true",
            help="Cấp quyền nộp hồ sơ qua API (dossiers.submit_dossier) cho tài khoản (grant submitting)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_service"] is not None:
            try:
                service_account_create(username=options["username"], name=options["new_service"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        user = Account.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản «{options['username']}» (no such user).")
        if not user.is_active:
            raise CommandError(f"Tài khoản «{options['username']}» đã bị khóa (user is inactive).")
        if options["can_submit"]:
            # By name: the permission belongs to the dossier engine, a layer above this app.
            account_permission_grant(account=user, permission="dossiers.submit_dossier")
        row, token = api_token_create(user=user, name=options["name"])
        # The token alone on stdout (scripts capture it); the explanation on stderr.
        self.stdout.write(token)
        self.stderr.write(
            f"Đã tạo mã truy cập {row.prefix}… cho {options['username']}. Lưu lại ngay: mã không được "
            "lưu trên máy chủ và sẽ không hiển thị lại. Dùng: Authorization: Bearer <mã>."
        )
