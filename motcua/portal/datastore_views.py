"""The applicant's personal data store page — kho dữ liệu điện tử: /kho-du-lieu.

List, upload (type, issuer, dates, validity), download through the owner check (files are never
served from a public URL), delete own uploads. Another account's document is a 404.
"""

from __future__ import annotations

import mimetypes
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.models import Account
from motcua.core.storage import display_filename, stored_file_response
from motcua.datastore.errors import DatastoreInvalid
from motcua.datastore.models import StoredDocument
from motcua.datastore.renewals import renewal_url
from motcua.datastore.selectors import stored_document_get, stored_documents_of
from motcua.datastore.services import stored_document_delete, stored_document_upload
from motcua.portal.access import applicant_required

FIELDS = ("name", "issuer", "issued_on", "valid_until")


def _account(request: HttpRequest) -> Account:
    user = request.user
    assert isinstance(user, Account)
    return user


def _context(owner: Account, *, errors: dict[str, str], values: dict[str, str]) -> dict[str, Any]:
    today = timezone.localdate()
    soon = today + timedelta(days=settings.MOTCUA_RENEWAL_REMINDER_DAYS)
    rows = [
        {
            "doc": doc,
            "expiring": doc.valid_until is not None and today <= doc.valid_until <= soon,
            "renewal_url": renewal_url(doc)
            if doc.valid_until is not None and doc.valid_until <= soon
            else "",
        }
        for doc in stored_documents_of(owner=owner)
    ]
    return {"rows": rows, "errors": errors, "values": values, "today": today}


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def datastore_list(request: HttpRequest) -> HttpResponse:
    """Kho dữ liệu: my documents, and the form to add one."""
    owner = _account(request)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in FIELDS}
        try:
            doc = stored_document_upload(
                owner=owner,
                name=values["name"],
                issuer=values["issuer"],
                issued_on=values["issued_on"],
                valid_until=values["valid_until"],
                file=request.FILES.get("file"),
            )
        except DatastoreInvalid as exc:
            errors = exc.errors
        else:
            # Said in a status region: after the redirect nothing else tells a screen-reader user.
            messages.success(request, _("Đã lưu «%(name)s» vào kho dữ liệu.") % {"name": doc.name})
            return redirect("portal:datastore")
    response = render(request, "portal/datastore.html", _context(owner, errors=errors, values=values))
    if errors:
        response.status_code = 400
    return response


def _own(request: HttpRequest, document_id: int) -> StoredDocument:
    try:
        return stored_document_get(owner=_account(request), document_id=document_id)
    except StoredDocument.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "HEAD"])
@applicant_required
def datastore_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    """One of my documents' file (owner checked; private, never cached by a shared cache)."""
    doc = _own(request, document_id)
    if not doc.file:
        raise Http404
    name = display_filename(doc.name, doc.file.name)
    # Checked against the SHA-256 recorded when it was stored (core.storage): altered bytes → 409.
    return stored_file_response(
        doc.file,
        sha256=doc.file_sha256,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )


@require_POST
@applicant_required
def datastore_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    """Delete one of my uploads (issued results are refused with a message)."""
    owner = _account(request)
    try:
        stored_document_delete(owner=owner, document_id=document_id)
    except StoredDocument.DoesNotExist:
        raise Http404 from None
    except DatastoreInvalid as exc:
        return render(
            request, "portal/datastore.html", _context(owner, errors=exc.errors, values={}), status=400
        )
    messages.success(request, _("Đã xoá giấy tờ khỏi kho dữ liệu."))
    return redirect("portal:datastore")
