"""The key store's per-process cache of loaded signers: a replaced key file is used at once."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.dossiers.tests.factories import World
from motcua.signing import pades
from motcua.signing.keystore import FileKeyStore, SignerRef
from motcua.signing.pki import Pki
from motcua.signing.pki_accounts import signer_identities
from motcua.signing.trust import context_factory


def one_page_pdf() -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    writer.insert_page(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
            }
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_replaced_key_file_is_used_at_once_and_signs_valid(world: World, pki: Pki):
    store = FileKeyStore(pki.dir)
    ref = SignerRef("leader", world.hung.username)
    first = store.signer(ref)
    assert store.signer(ref) is first  # parsed once, kept
    identity = next(i for i in signer_identities() if (i.kind, i.key) == ("leader", world.hung.username))
    # A new key and certificate written over the old files, in the same instant as the load above.
    pki.issue(identity)
    second = store.signer(ref)
    assert second is not first
    old_cert, new_cert = first.signing_cert, second.signing_cert
    assert old_cert is not None
    assert new_cert is not None
    assert new_cert.serial_number != old_cert.serial_number
    signed = pades.pdf_sign(
        one_page_pdf(),
        signer=second,
        field_name="Sig",
        box=pades.Box(0, 330, 40, 565, 130),
        appearance=pades.Appearance(),
        reason="test",
        location="Quảng Ninh",
    )
    (check,) = pades.pdf_signatures_validate(signed, context_factory=context_factory)
    assert check.ok
    assert check.serial == new_cert.serial_number
    # The container was sized from the certificates (no 16 KiB placeholder read digit by digit).
    contents = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0].pkcs7_content
    assert len(contents) < 8192
