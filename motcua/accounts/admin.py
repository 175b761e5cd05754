"""Django admin for accounts — tài khoản: every kind in one list, filtered by kind.

Here only superusers act (Django's own permissions); ``org.admin`` registers a subclass that also lets
a province admin look accounts up, because roles live in ``org``.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField

from motcua.accounts.models import Account


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = Account
        fields = ("username", "kind", "full_name", "personal_id", "tax_code")
        field_classes = {"username": UsernameField}


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = Account
        fields = "__all__"
        field_classes = {"username": UsernameField}


@admin.register(Account)
class AccountAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = ("username", "full_name", "kind", "personal_id", "tax_code", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "full_name", "personal_id", "tax_code", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Thông tin tài khoản",
            {
                "fields": (
                    "kind",
                    "full_name",
                    "personal_id",
                    "tax_code",
                    "email",
                    "phone",
                    "birth_date",
                    "address",
                )
            },
        ),
        (
            "Quyền",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Thời điểm", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "kind",
                    "full_name",
                    "personal_id",
                    "tax_code",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
