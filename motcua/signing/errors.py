"""Errors of the signing extension, each with one Vietnamese sentence for people."""

from __future__ import annotations


class SigningRefused(Exception):
    """Signing cannot happen: no key, a certificate expired / not yet valid / revoked, a broken draft."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VerificationRefused(Exception):
    """The file cannot be checked: not a PDF, broken, encrypted, too large, no signature at all."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
