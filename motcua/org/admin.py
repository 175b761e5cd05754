"""Django admin for units, counters, officials and role assignments.

Who may do what here. For anyone but a superuser, rights come from roles (``selectors``), not from Django
model permissions, so a staff account with ``org.*`` permissions but no admin role sees nothing:

- superuser: everything;
- ``PROVINCE_ADMIN`` at the provincial committee: every unit, counter, official and assignment; may
  create units and grant any role; may not delete units or officials nor relink an official's account;
- ``UNIT_ADMIN``: the units the role reaches (its unit, plus the centre of a committee): edits their
  contact details and counters, creates officials and grants or revokes roles there, except
  ``PROVINCE_ADMIN``; sees only officials holding a role in those units and never superuser accounts.

Revoking is unticking "còn hiệu lực" (the row stays as a record); only superusers delete rows.
Holders of an admin role need ``is_staff`` to sign in; the services and this admin set it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import BLANK_CHOICE_DASH, Model, Prefetch, QuerySet
from django.db.models.fields import Field
from django.db.models.fields.related import ForeignKey
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from motcua.accounts.admin import AccountAdmin
from motcua.accounts.models import Account, AccountKind
from motcua.core.text import fold
from motcua.org.models import Counter, Official, Role, RoleAssignment, Unit
from motcua.org.selectors import official_managed_units, official_manages_province, unit_search
from motcua.org.services import official_account_errors, official_staff_sync, role_assignment_validate

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups

_SCOPE_ATTR = "_motcua_org_admin_scope"
# The managed unit ids of the request's user, or None for "every unit".
Scope = frozenset[int] | None


def _superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


def _scope(request: HttpRequest) -> Scope:
    """Computed once per request: the admin asks for permissions many times while rendering a page."""
    if not hasattr(request, _SCOPE_ATTR):
        scope: Scope
        if official_manages_province(user=request.user):
            scope = None
        else:
            scope = frozenset(official_managed_units(user=request.user).values_list("pk", flat=True))
        setattr(request, _SCOPE_ATTR, scope)
    cached: Scope = getattr(request, _SCOPE_ATTR)
    return cached


def _manages_all(request: HttpRequest) -> bool:
    return _scope(request) is None


def _is_org_admin(request: HttpRequest) -> bool:
    scope = _scope(request)
    return scope is None or bool(scope)


def _role_choices(request: HttpRequest) -> list[tuple[str, str]]:
    choices = list(Role.choices)
    if not _manages_all(request):
        # A unit admin granting PROVINCE_ADMIN would escalate beyond their unit.
        choices = [(value, label) for value, label in choices if value != Role.PROVINCE_ADMIN]
    return [*BLANK_CHOICE_DASH, *choices]


class _RoleScoped:
    """Role-based permissions shared by the model admins and inlines of this app."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_org_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_org_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_org_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_org_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _superuser(request)


def _scoped_units(request: HttpRequest, units: QuerySet[Unit]) -> QuerySet[Unit]:
    scope = _scope(request)
    return units if scope is None else units.filter(pk__in=scope)


# --------------------------------------------------------------------------------------------------
# Units and counters
# --------------------------------------------------------------------------------------------------


class CounterInline(_RoleScoped, admin.TabularInline):
    model = Counter
    extra = 0
    fields = ("number", "label", "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Counters carry no history; a unit admin may remove a mistaken one.
        return _is_org_admin(request)


# Fields a unit admin may edit on their own unit; the rest comes from the loader or the province.
_UNIT_ADMIN_EDITABLE = ("address", "phone", "email")


@admin.register(Unit)
class UnitAdmin(_RoleScoped, admin.ModelAdmin):
    list_display = ("name", "agency_code", "kind", "area_kind", "parent", "is_active")
    list_filter = ("kind", "area_kind", "is_active")
    list_select_related = ("parent",)
    search_fields = ("name", "short_name", "agency_code")
    inlines = (CounterInline,)
    fields = (
        "name",
        "short_name",
        "kind",
        "parent",
        "agency_code",
        "agency_code_manual",
        "area_code",
        "area_kind",
        "address",
        "phone",
        "email",
        "is_active",
        "slug",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _manages_all(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return _scoped_units(request, super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> tuple[str, ...]:
        if _manages_all(request):
            return ("slug", "created_at", "updated_at")
        return tuple(field for field in self.fields if field not in _UNIT_ADMIN_EDITABLE)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Unit], search_term: str
    ) -> tuple[QuerySet[Unit], bool]:
        # Accent-insensitive on top of Django's icontains: "ha long" finds "Hạ Long".
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if fold(search_term):  # a term of punctuation only would match every unit
            results = results | unit_search(queryset, search_term)
        return results, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: Unit, form: forms.ModelForm[Unit], change: bool) -> None:
        if "agency_code" in form.changed_data:
            # A code typed here is the province's decision; the loader must not re-derive it.
            obj.agency_code_manual = True
        super().save_model(request, obj, form, change)


@admin.register(Counter)
class CounterAdmin(_RoleScoped, admin.ModelAdmin):
    list_display = ("unit", "number", "label", "is_active")
    list_filter = ("is_active", "unit__kind")
    list_select_related = ("unit",)
    search_fields = ("label", "unit__name")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_org_admin(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Counter]:
        scope = _scope(request)
        counters = super().get_queryset(request)
        return counters if scope is None else counters.filter(unit_id__in=scope)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "unit":
            kwargs["queryset"] = _scoped_units(request, Unit.objects.filter(is_active=True))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --------------------------------------------------------------------------------------------------
# Officials and role assignments
# --------------------------------------------------------------------------------------------------


class RoleAssignmentForm(forms.ModelForm):
    """Same rule as ``services.role_assignment_grant`` (e.g. PROVINCE_ADMIN only at UBND tỉnh)."""

    class Meta:
        model = RoleAssignment
        fields = ("official", "unit", "role", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit, role = cleaned.get("unit"), cleaned.get("role")
        # Deactivating an old row must stay possible even if the unit has since closed.
        if unit is not None and role and cleaned.get("is_active") and self.has_changed():
            try:
                role_assignment_validate(unit=unit, role=role)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return cleaned


class _AssignmentFields:
    """Unit and role choices limited to what the request's user may grant."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "unit":
            kwargs["queryset"] = _scoped_units(request, Unit.objects.all())
        elif db_field.name == "official":
            kwargs["queryset"] = _officials_visible(request, Official.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_choice_field(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.TypedChoiceField | None:
        if db_field.name == "role":
            kwargs["choices"] = _role_choices(request)
        return super().formfield_for_choice_field(db_field, request, **kwargs)  # type: ignore[misc]


def _officials_visible(request: HttpRequest, officials: QuerySet[Official]) -> QuerySet[Official]:
    scope = _scope(request)
    if scope is None:
        return officials
    return officials.filter(assignments__unit_id__in=scope).exclude(user__is_superuser=True).distinct()


class RoleAssignmentInlineFormSet(BaseInlineFormSet):
    # Set per request by RoleAssignmentInline.get_formset: a unit admin creating an official must give
    # them a role in one of their units, or the new official would vanish from their list at once.
    require_active_assignment = False

    def clean(self) -> None:
        super().clean()
        if not self.require_active_assignment:
            return
        active = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_active")
        ]
        if not active:
            raise ValidationError("Cần giao ít nhất một vai trò tại đơn vị mình quản lý.")


class RoleAssignmentInline(_AssignmentFields, _RoleScoped, admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    formset = RoleAssignmentInlineFormSet
    extra = 1
    fields = ("unit", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        scope = _scope(request)
        assignments = super().get_queryset(request).select_related("unit")
        return assignments if scope is None else assignments.filter(unit_id__in=scope)

    def get_formset(self, request: HttpRequest, obj: Official | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # A subclass per request: the flag must not leak to the next request through the shared class.
        return type(
            formset.__name__,
            (formset,),
            {"require_active_assignment": obj is None and not _manages_all(request)},
        )


class OfficialCreationForm(forms.ModelForm):
    """Add form: creates the user account together with the official profile."""

    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    password1 = forms.CharField(label="Mật khẩu", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Nhập lại mật khẩu", widget=forms.PasswordInput, strip=False)

    class Meta:
        model = Official
        fields = ("full_name", "title", "phone")

    def clean(self) -> dict[str, Any]:
        # Same checks as ``services.official_create``: a free login, a password the validators accept.
        cleaned = super().clean() or {}
        username = cleaned.get("username")  # stripped by the field; absent when left blank
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        mismatch = bool(password1 and password2 and password1 != password2)
        errors = official_account_errors(
            username=username or "", password=password1 if password1 and not mismatch else None
        )
        if username is not None:  # a blank login already has the field's own "required" error
            for message in errors.get("username", []):
                self.add_error("username", message)
        if mismatch:
            self.add_error("password2", "Hai mật khẩu không khớp.")
        for message in errors.get("password", []):
            self.add_error("password1", message)
        return cleaned


@admin.register(Official)
class OfficialAdmin(_RoleScoped, admin.ModelAdmin):
    list_display = ("full_name", "username", "title", "active_units")
    list_filter = ("assignments__role", "assignments__unit__kind")
    search_fields = ("full_name", "user__username", "title")
    inlines = (RoleAssignmentInline,)

    @admin.display(description="tên đăng nhập", ordering="user__username")
    def username(self, obj: Official) -> str:
        return obj.user.get_username()

    @admin.display(description="đơn vị (vai trò còn hiệu lực)")
    def active_units(self, obj: Official) -> str:
        return "; ".join(
            f"{assignment.unit.short_name or assignment.unit.name}: {assignment.get_role_display()}"
            for assignment in obj.assignments.all()
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Official]:
        active = RoleAssignment.objects.filter(is_active=True).select_related("unit").order_by("unit__name")
        officials = (
            super()
            .get_queryset(request)
            .select_related("user")
            .prefetch_related(Prefetch("assignments", active))
        )
        return _officials_visible(request, officials)

    def get_fields(self, request: HttpRequest, obj: Official | None = None) -> _FieldGroups:
        if obj is None:
            return ["username", "password1", "password2", "full_name", "title", "phone"]
        return ["user", "full_name", "title", "phone"]

    def get_readonly_fields(self, request: HttpRequest, obj: Official | None = None) -> tuple[str, ...]:
        # Relinking a profile to another account (say, a superuser's) is a superuser decision.
        return () if obj is None or _superuser(request) else ("user",)

    def get_form(
        self, request: HttpRequest, obj: Official | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Official]]:
        if obj is None:
            kwargs["form"] = OfficialCreationForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Official, form: forms.ModelForm[Official], change: bool
    ) -> None:
        if not change:
            obj.user = Account.objects.create_user(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                kind=AccountKind.OFFICIAL,
                full_name=obj.full_name,
            )
        elif "full_name" in form.changed_data:
            # The account's name is the one shown on dossiers (accounts.selectors.account_display_name).
            obj.user.full_name = obj.full_name
            obj.user.save(update_fields=["full_name"])
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[Official], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        official_staff_sync(official=form.instance)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(_AssignmentFields, _RoleScoped, admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ("official", "role", "unit", "is_active", "created_at")
    list_filter = ("role", "is_active", "unit__kind")
    list_select_related = ("official", "unit")
    search_fields = ("official__full_name", "official__user__username", "unit__name", "unit__agency_code")
    autocomplete_fields = ("official",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        scope = _scope(request)
        assignments = super().get_queryset(request)
        if scope is None:
            return assignments
        return assignments.filter(unit_id__in=scope).exclude(official__user__is_superuser=True)

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: forms.ModelForm[RoleAssignment], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        official_staff_sync(official=obj.official)


# --------------------------------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------------------------------


class ProvinceAccountAdmin(AccountAdmin):
    """``accounts.admin.AccountAdmin`` plus read access for a province admin (roles live in this app).

    Reading only: changing logins, passwords and staff flags of any account stays a superuser's act.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or _manages_all(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_view_permission(request, obj) or _manages_all(request)


admin.site.unregister(Account)
admin.site.register(Account, ProvinceAccountAdmin)
