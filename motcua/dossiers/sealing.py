"""Sealed checkpoints of the audit log — niêm phong nhật ký xử lý hồ sơ (docs/architecture.md §29).

The hash chain (``dossiers.audit``) is unkeyed: whoever can write the database can edit an event,
recompute every hash after it and update the dossier's chain head. A seal closes that door. Once a day
(``SEAL_JOB``; ``motcua audit-seal``) every dossier whose chain grew since its last seal gets a leaf
``(dossier id, event count, head hash)``; the leaves, sorted by dossier id, make a Merkle tree; its
root, with the seal's number, time, counts and the previous seal's MAC, is authenticated with
HMAC-SHA256 under a key that is *not* in the database (``MOTCUA_AUDIT_SEAL_KEY``). The seals are
published (portal page, JSON and CSV): a rewritten history no longer hashes to a published root, and
re-sealing it needs the key.

One dossier is checked against its latest seal cheaply (``dossier_seal_check``, the public tracking
page): its events up to the sealed count give the head, the head gives the leaf, ``log2 n`` stored
tree nodes give the root, the key checks the root. ``motcua verify-audit`` checks every seal in full.

Tree: leaf = SHA-256(0x00 ‖ "id:count:head"), node = SHA-256(0x01 ‖ left ‖ right) (domain-separated,
so a leaf cannot pose as a node); an odd last node is promoted unchanged. Stored: the leaves
(``AuditSealLeaf``) and the inner levels below the root (``AuditSealNode``, level ≥ 1).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import itertools
import logging
import operator
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from motcua.dossiers.audit import ChainProblem, chain_verify, event_hash
from motcua.dossiers.models import AuditSeal, AuditSealLeaf, AuditSealNode, Dossier, DossierEvent

logger = logging.getLogger(__name__)

SEAL_JOB = "dossiers.audit_seal"
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()
BATCH = 500
MIN_KEY_LENGTH = 32


# ---- the key -------------------------------------------------------------------------------------


def seal_key() -> bytes:
    """The HMAC key: ``MOTCUA_AUDIT_SEAL_KEY``; outside production, a random key kept in a file.

    Production never falls back to a file (the deploy check ``motcua.E050`` requires the variable):
    a key next to the database on the same machine is one copy away from the administrator.
    """
    configured = getattr(settings, "MOTCUA_AUDIT_SEAL_KEY", "")
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise ImproperlyConfigured(f"MOTCUA_AUDIT_SEAL_KEY must be at least {MIN_KEY_LENGTH} characters")
        return str(configured).encode()
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("MOTCUA_AUDIT_SEAL_KEY is required in production")
    return _key_file_read_or_create(Path(settings.MOTCUA_AUDIT_SEAL_KEY_FILE))


def _key_file_read_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporary.write_text(secrets.token_hex(32) + "\n")
        temporary.chmod(0o600)
        try:
            # link() fails if another process created the key first: both then read the same file.
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip().encode()


def key_id(key: bytes) -> str:
    """Names the key on each seal (which key sealed it, after a rotation) without revealing it."""
    return hashlib.sha256(b"motcua-audit-seal-key-id:" + key).hexdigest()[:16]


# ---- the tree ------------------------------------------------------------------------------------


def leaf_hash(dossier_id: int, event_count: int, head_hash: str) -> str:
    return hashlib.sha256(b"\x00" + f"{dossier_id}:{event_count}:{head_hash}".encode()).hexdigest()


def node_hash(left: str, right: str) -> str:
    return hashlib.sha256(b"\x01" + bytes.fromhex(left) + bytes.fromhex(right)).hexdigest()


def merkle_levels(leaves: Sequence[str]) -> list[list[str]]:
    """Every level, leaves first, root last (a single level with the root for one leaf)."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        current = levels[-1]
        upper = [node_hash(current[i], current[i + 1]) for i in range(0, len(current) - 1, 2)]
        if len(current) % 2:
            upper.append(current[-1])
        levels.append(upper)
    return levels


def merkle_root(leaves: Sequence[str]) -> str:
    return merkle_levels(leaves)[-1][0] if leaves else EMPTY_ROOT


def proof_positions(position: int, size: int) -> list[tuple[int, int]]:
    """(level, position) of the siblings on the way from leaf ``position`` to the root."""
    siblings: list[tuple[int, int]] = []
    level = 0
    while size > 1:
        sibling = position ^ 1
        if sibling < size:
            siblings.append((level, sibling))
        position, size, level = position // 2, (size + 1) // 2, level + 1
    return siblings


def root_from_proof(leaf: str, position: int, size: int, nodes: dict[tuple[int, int], str]) -> str | None:
    """The root that leaf ``position`` and its siblings (``nodes``) hash to; None if one is missing."""
    digest, level = leaf, 0
    while size > 1:
        sibling = position ^ 1
        if sibling < size:
            other = nodes.get((level, sibling))
            if other is None:
                return None
            digest = node_hash(other, digest) if sibling < position else node_hash(digest, other)
        position, size, level = position // 2, (size + 1) // 2, level + 1
    return digest


# ---- the MAC -------------------------------------------------------------------------------------


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def seal_mac(key: bytes, seal: AuditSeal) -> str:
    """HMAC-SHA256 over everything the seal states, the previous seal's MAC included (seal chain)."""
    message = "\n".join(
        (
            "motcua-audit-seal-v1",
            str(seal.seq),
            _instant(seal.sealed_at),
            str(seal.dossier_count),
            str(seal.event_count),
            seal.root,
            seal.prev_mac,
        )
    )
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def seal_mac_valid(seal: AuditSeal, key: bytes | None = None) -> bool:
    return hmac.compare_digest(seal_mac(key or seal_key(), seal), seal.mac)


# ---- sealing -------------------------------------------------------------------------------------


@dataclass
class SealOutcome:
    """One run of the sealer: the new seal and the dossiers left out because their chain is broken."""

    seal: AuditSeal
    refused: list[ChainProblem] = field(default_factory=list)


def _candidates() -> Iterator[int]:
    """Ids of the dossiers whose chain grew since their latest seal (or that were never sealed).

    The row's ``event_count`` only picks candidates: the leaf itself is computed from the events.
    """
    latest = (
        AuditSealLeaf.objects.filter(dossier_id=OuterRef("pk")).order_by("-seal_id").values("event_count")[:1]
    )
    return (
        Dossier.objects.annotate(sealed=Subquery(latest))
        .filter(Q(sealed__isnull=True) | Q(sealed__lt=F("event_count")), event_count__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=5000)
    )


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _leaves(ids: list[int], refused: list[ChainProblem]) -> Iterator[tuple[int, int, str]]:
    """(dossier id, event count, head hash) for each dossier of ``ids`` whose chain is intact."""
    codes = dict(Dossier.objects.filter(pk__in=ids).values_list("pk", "code"))
    events: dict[int, list[DossierEvent]] = {pk: [] for pk in ids}
    # One statement: one consistent snapshot of these dossiers' events even while others commit.
    for event in DossierEvent.objects.filter(dossier_id__in=ids).order_by("dossier_id", "seq"):
        events[event.dossier_id].append(event)
    for pk in ids:
        chain = events[pk]
        if not chain:
            continue
        # The head as the events give it (the row is checked by verify-audit, not trusted here).
        head = Dossier(
            pk=pk, code=codes.get(pk, str(pk)), event_count=len(chain), last_event_hash=chain[-1].hash
        )
        problems = chain_verify(head, chain)
        if problems:
            refused.extend(problems)
            continue
        yield pk, chain[-1].seq, chain[-1].hash


def audit_seal_create(*, now: datetime | None = None) -> SealOutcome:
    """Seal the chain heads that grew since the last seal (none grew: an empty seal, the day still has one).

    A dossier whose chain does not verify is left out and reported (sealing it would bless the damage).
    """
    key = seal_key()
    refused: list[ChainProblem] = []
    leaves: list[tuple[int, int, str]] = []
    for ids in _batches(_candidates()):
        leaves.extend(_leaves(ids, refused))
    levels = merkle_levels([leaf_hash(*leaf) for leaf in leaves]) if leaves else [[]]
    with transaction.atomic():
        previous = AuditSeal.objects.order_by("-seq").first()
        seal = AuditSeal(
            seq=(previous.seq + 1) if previous else 1,
            sealed_at=now or timezone.now(),
            dossier_count=len(leaves),
            event_count=sum(count for _pk, count, _head in leaves),
            root=levels[-1][0] if leaves else EMPTY_ROOT,
            prev_mac=previous.mac if previous else "",
            key_id=key_id(key),
        )
        seal.mac = seal_mac(key, seal)
        seal.save()
        AuditSealLeaf.objects.bulk_create(
            (
                AuditSealLeaf(seal=seal, position=i, dossier_id=pk, event_count=count, head_hash=head)
                for i, (pk, count, head) in enumerate(leaves)
            ),
            batch_size=2000,
        )
        AuditSealNode.objects.bulk_create(
            (
                AuditSealNode(seal=seal, level=level, position=i, hash=digest)
                for level in range(1, len(levels) - 1)
                for i, digest in enumerate(levels[level])
            ),
            batch_size=2000,
        )
    for problem in refused:
        logger.error("Audit seal %s: left out: %s", seal.seq, problem.message)
    return SealOutcome(seal=seal, refused=refused)


# ---- one dossier against its seal ----------------------------------------------------------------


class SealStatus:
    MATCHED = "matched"
    MISMATCH = "mismatch"
    UNSEALED = "unsealed"


@dataclass(frozen=True)
class SealCheck:
    """What the tracking page tells the citizen about the dossier's history and the published seals."""

    status: str
    seal_seq: int | None = None
    sealed_at: datetime | None = None
    sealed_events: int = 0
    # Events recorded after that seal: not sealed yet (the next daily seal covers them).
    pending_events: int = 0


def dossier_seal_check(*, code: str) -> SealCheck:
    """Check the dossier ``code`` (the caller found it) against its latest seal.

    Not sealed yet: one query. Sealed: four — its latest leaf and seal, its events, the inner nodes of
    the proof and the sibling leaf — whatever the number of dossiers sealed.
    """
    leaf = (
        AuditSealLeaf.objects.filter(dossier__code=code).select_related("seal").order_by("-seal_id").first()
    )
    if leaf is None:
        return SealCheck(status=SealStatus.UNSEALED)
    events = list(DossierEvent.objects.filter(dossier__code=code).order_by("seq"))
    seal = leaf.seal
    sealed = events[: leaf.event_count]
    pending = len(events) - len(sealed)
    mismatch = SealCheck(
        status=SealStatus.MISMATCH,
        seal_seq=seal.seq,
        sealed_at=seal.sealed_at,
        sealed_events=leaf.event_count,
        pending_events=max(pending, 0),
    )
    prev = ""
    for number, event in enumerate(sealed, start=1):
        if event.seq != number or event.prev_hash != prev or event_hash(event) != event.hash:
            return mismatch
        prev = event.hash
    if len(sealed) != leaf.event_count or prev != leaf.head_hash:
        return mismatch
    siblings = proof_positions(leaf.position, seal.dossier_count)
    nodes: dict[tuple[int, int], str] = {}
    inner = [(level, position) for level, position in siblings if level > 0]
    leaf_sibling = next((position for level, position in siblings if level == 0), None)
    if inner:
        condition = functools.reduce(operator.or_, (Q(level=lv, position=pos) for lv, pos in inner))
        for level, position, digest in AuditSealNode.objects.filter(condition, seal=seal).values_list(
            "level", "position", "hash"
        ):
            nodes[(level, position)] = digest
    if leaf_sibling is not None:
        other = AuditSealLeaf.objects.filter(seal=seal, position=leaf_sibling).first()
        if other is not None:
            nodes[(0, leaf_sibling)] = leaf_hash(other.dossier_id, other.event_count, other.head_hash)
    root = root_from_proof(
        leaf_hash(events[0].dossier_id, leaf.event_count, prev), leaf.position, seal.dossier_count, nodes
    )
    if root != seal.root or not seal_mac_valid(seal):
        return mismatch
    return SealCheck(
        status=SealStatus.MATCHED,
        seal_seq=seal.seq,
        sealed_at=seal.sealed_at,
        sealed_events=leaf.event_count,
        pending_events=pending,
    )


def seals_published() -> list[AuditSeal]:
    """Every seal, newest first, for the public list (one row a day: small)."""
    return list(AuditSeal.objects.order_by("-seq"))


# ---- every seal (verify-audit) -------------------------------------------------------------------


@dataclass(frozen=True)
class SealProblem:
    seal_seq: int
    message: str


def seals_verify() -> Iterator[SealProblem]:
    """Check every seal: numbering, the chain of MACs, each MAC under the key, and its tree.

    The tree is rebuilt from the stored leaves (memory: one seal's leaves) and compared with the
    sealed root and the stored inner nodes; the leaves against the current events are checked per
    dossier by ``seal_leaves_of``'s caller (verify-audit streams the dossiers once).
    """
    key = seal_key()
    current_key = key_id(key)
    expected_seq, prev_mac = 1, ""
    for seal in AuditSeal.objects.order_by("seq").iterator(chunk_size=100):
        n = seal.seq
        if seal.seq != expected_seq:
            yield SealProblem(n, f"Niêm phong số {n}: thiếu niêm phong số {expected_seq} (đã bị xóa).")
        if seal.prev_mac != prev_mac:
            yield SealProblem(n, f"Niêm phong số {n} không nối với niêm phong trước.")
        if seal.key_id != current_key:
            yield SealProblem(
                n, f"Niêm phong số {n} được lập bằng khóa khác (mã khóa {seal.key_id}): không kiểm tra được."
            )
        elif not seal_mac_valid(seal, key):
            yield SealProblem(n, f"Niêm phong số {n}: mã niêm phong (HMAC) sai — bị sửa hoặc bị giả.")
        rows = list(
            AuditSealLeaf.objects.filter(seal=seal)
            .order_by("position")
            .values_list("position", "dossier_id", "event_count", "head_hash")
        )
        ordered = all(row[0] == i for i, row in enumerate(rows)) and all(
            a[1] < b[1] for a, b in itertools.pairwise(rows)
        )
        if not ordered or len(rows) != seal.dossier_count or sum(row[2] for row in rows) != seal.event_count:
            yield SealProblem(n, f"Niêm phong số {n}: danh sách hồ sơ được niêm phong đã bị sửa.")
        levels = merkle_levels([leaf_hash(pk, count, head) for _i, pk, count, head in rows])
        if (levels[-1][0] if rows else EMPTY_ROOT) != seal.root:
            yield SealProblem(
                n, f"Niêm phong số {n}: gốc cây Merkle không khớp với các hồ sơ được niêm phong."
            )
        stored = AuditSealNode.objects.filter(seal=seal).order_by("level", "position")
        expected = [
            (level, i, digest)
            for level in range(1, len(levels) - 1)
            for i, digest in enumerate(levels[level])
        ]
        if list(stored.values_list("level", "position", "hash").iterator(chunk_size=5000)) != expected:
            yield SealProblem(n, f"Niêm phong số {n}: các nút của cây Merkle đã bị sửa.")
        expected_seq, prev_mac = seal.seq + 1, seal.mac


def seal_leaves_of(ids: Iterable[int]) -> dict[int, list[tuple[int, int, str]]]:
    """Per dossier: (seal number, event count, head hash) of every seal that covers it."""
    leaves: dict[int, list[tuple[int, int, str]]] = {}
    for pk, seq, count, head in AuditSealLeaf.objects.filter(dossier_id__in=list(ids)).values_list(
        "dossier_id", "seal__seq", "event_count", "head_hash"
    ):
        leaves.setdefault(pk, []).append((seq, count, head))
    return leaves


def leaves_match(
    code: str, events: Sequence[DossierEvent], leaves: Iterable[tuple[int, int, str]]
) -> list[ChainProblem]:
    """Each seal's head of this dossier against its current events (``events`` in ``seq`` order)."""
    problems: list[ChainProblem] = []
    for seal_seq, count, head in sorted(leaves):
        event = events[count - 1] if 0 < count <= len(events) else None
        if event is None or event.seq != count or event.hash != head:
            problems.append(
                ChainProblem(
                    code,
                    "seal_mismatch",
                    count,
                    f"{code}: nhật ký đến sự kiện số {count} không khớp với niêm phong số {seal_seq} "
                    "(lịch sử đã bị viết lại).",
                )
            )
    return problems
