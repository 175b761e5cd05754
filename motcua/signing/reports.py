"""The verification report as plain data — the API's JSON and the page's context share it."""

from __future__ import annotations

from typing import Any

from motcua.signing.verification import VerificationReport


def report_dict(report: VerificationReport) -> dict[str, Any]:
    on_file = report.on_file
    return {
        "valid": report.valid,
        "summary": report.summary,
        "sha256": report.sha256,
        "signatures": [
            {
                "field": s.check.field_name,
                "signer": s.check.signer_name,
                "organisation": s.check.organisation,
                "title": s.check.title,
                "certificate_serial": format(s.check.serial, "x"),
                "signed_at": s.check.signed_at,
                "timestamp_at": s.check.timestamp_at,
                "timestamp_valid": s.check.timestamp_valid,
                "intact": s.check.intact and not s.check.modified_after,
                "trusted": s.check.trusted,
                "revoked": s.check.revoked,
                "expired": s.check.expired,
                "chain": list(s.check.chain),
                "verdict": s.verdict,
                "message": s.message,
            }
            for s in report.signatures
        ],
        "on_file": None
        if on_file is None
        else {
            "dossier_code": on_file.dossier_code,
            "number": on_file.number,
            "signer": on_file.signer_name,
            "unit": on_file.unit_name,
            "signed_at": on_file.signed_at,
            "sha256": on_file.sha256,
            "matches": on_file.matches,
        },
    }
