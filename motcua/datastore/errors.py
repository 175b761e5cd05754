from __future__ import annotations


class DatastoreInvalid(Exception):
    """Bad input to a data store write: Vietnamese messages per field; nothing was changed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
