"""Importing members from a spreadsheet (rules §11; README): read, check every row, then import the good ones.

Columns (header names in English or Chinese): name/姓名, phone/手机号, id_number/身份证号, unit_code/单位代码.
The import is idempotent by ID number: a person already on the portal is recognised, not duplicated, and
a membership that already exists is left as it is. Nobody is moved out of another union by an import:
such rows are reported, since only the member can apply to transfer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.campaigns.campaign import enrol
from portal.campaigns.errors import AlreadyEnrolled, StaleImport
from portal.common.audit import record_audit
from portal.common.errors import DomainError
from portal.common.phones import parse_phone
from portal.common.spreadsheets import read_spreadsheet
from portal.extensions import db
from portal.identity.accounts import apply_profile, id_number_digest, parse_real_name
from portal.identity.id_numbers import IdNumber, parse_id_number
from portal.models.campaign import Campaign
from portal.models.identity import User
from portal.models.membership import MemberCategory, Membership
from portal.models.org import Organisation, OrgKind
from portal.orgs.permissions import can_administer, require

MEMBER_KINDS = frozenset({OrgKind.GRASSROOTS_UNION, OrgKind.UNIT})
HEADERS = {
    "name": ("name", "姓名"),
    "phone": ("phone", "手机号", "手机号码", "手机"),
    "id_number": ("id_number", "身份证号", "身份证号码", "身份证"),
    "unit_code": ("unit_code", "单位代码", "组织代码", "工会代码"),
}
_CHUNK = 900  # stays under every database's limit of bound parameters


@dataclass
class ImportRow:
    line: int
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    name: str = ""
    phone: str = ""
    id_number: IdNumber | None = None
    digest: str = ""
    org: Organisation | None = None
    existing: User | None = None
    already_member: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportOutcome:
    accounts_created: int = 0
    memberships_started: int = 0
    unchanged: int = 0


def read_member_file(data: bytes, filename: str) -> list[dict[str, str]]:
    return read_spreadsheet(data, filename, HEADERS)


def _chunks(values: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _load(model_column, values: set, key) -> dict:
    found = {}
    for chunk in _chunks(sorted(values)):
        for item in db.session.scalars(select(key[0]).where(model_column.in_(chunk))):
            found[key[1](item)] = item
    return found


def check_rows(root: Organisation, records: list[dict[str, str]]) -> list[ImportRow]:
    """Check every row against the rules and the database; each bad row gets its reasons in Chinese.

    A row must name a grassroots union or unit below ``root`` (the import's target, in the admin's scope).
    """
    rows = [ImportRow(line=index + 2, raw=record) for index, record in enumerate(records)]
    for row in rows:
        for attribute, parse in (("name", parse_real_name), ("phone", parse_phone)):
            try:
                setattr(row, attribute, parse(row.raw[attribute]))
            except DomainError as error:
                row.errors.append(str(error.message))
        try:
            row.id_number = parse_id_number(row.raw["id_number"])
            row.digest = id_number_digest(row.id_number.value)
        except DomainError as error:
            row.errors.append(str(error.message))

    codes = {row.raw["unit_code"] for row in rows}
    orgs = _load(Organisation.code, codes, (Organisation, lambda org: org.code))
    seen_digests: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    for row in rows:
        org = orgs.get(row.raw["unit_code"])
        if org is None or not root.contains(org) or org.kind not in MEMBER_KINDS:
            row.errors.append(_("No grassroots union or unit with this code below %(root)s.", root=root.name))
        else:
            row.org = org
        if row.digest:
            if row.digest in seen_digests:
                row.errors.append(_("Same ID number as line %(line)d.", line=seen_digests[row.digest]))
            seen_digests.setdefault(row.digest, row.line)
        if row.phone:
            if row.phone in seen_phones:
                row.errors.append(_("Same mobile number as line %(line)d.", line=seen_phones[row.phone]))
            seen_phones.setdefault(row.phone, row.line)

    by_digest = _load(User.id_number_digest, set(seen_digests), (User, lambda user: user.id_number_digest))
    by_phone = _load(User.phone, set(seen_phones), (User, lambda user: user.phone))
    user_ids = {user.id for user in (*by_digest.values(), *by_phone.values())}
    active: dict[int, Membership] = {}
    for chunk in _chunks(sorted(user_ids)):
        query = select(Membership).where(Membership.user_id.in_(chunk), Membership.ended_at.is_(None))
        active.update((membership.user_id, membership) for membership in db.session.scalars(query))
    for row in (row for row in rows if row.ok):
        row.existing = by_digest.get(row.digest)
        phone_owner = by_phone.get(row.phone)
        if row.existing is None and phone_owner is not None:
            if phone_owner.id_number_digest:
                row.errors.append(_("This mobile number belongs to an account with another ID number."))
                continue
            row.existing = phone_owner  # registered but no profile yet: the import completes it
        membership = active.get(row.existing.id) if row.existing else None
        if membership is not None:
            if membership.organisation_id == row.org.id:
                row.already_member = True
            else:
                row.errors.append(
                    _("Already a member of another union; only the member can apply to transfer.")
                )
    return rows


def import_rows(
    actor: User | None, root: Organisation, rows: list[ImportRow], *, source: str
) -> ImportOutcome:
    """Import the rows without errors: accounts (no password: they sign in by SMS code), profiles and
    memberships. Rows already imported change nothing."""
    require(can_administer(actor, root))
    outcome = ImportOutcome()
    new_users = []
    for row in rows:
        if not row.ok:
            continue
        if row.already_member:
            outcome.unchanged += 1
            continue
        user = row.existing
        if user is None:
            user = User(phone=row.phone)
            new_users.append(user)
            outcome.accounts_created += 1
        if not user.has_profile:
            apply_profile(user, row.name, row.id_number)
        row.existing = user
    db.session.add_all(new_users)
    db.session.flush()
    memberships = [
        Membership(user_id=row.existing.id, organisation_id=row.org.id, category=MemberCategory.OTHER)
        for row in rows
        if row.ok and not row.already_member
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(memberships)
    except IntegrityError:
        # Someone in the file became a member elsewhere between the preview and now.
        raise StaleImport() from None
    outcome.memberships_started = len(memberships)
    record_audit(
        actor,
        "members.import",
        subject_type="organisation",
        subject_id=root.id,
        organisation_id=root.id,
        after={
            "source": source,
            "rows": len(rows),
            "accounts_created": outcome.accounts_created,
            "memberships_started": outcome.memberships_started,
            "unchanged": outcome.unchanged,
            "refused": sum(1 for row in rows if not row.ok),
        },
    )
    return outcome


@dataclass
class EnrollmentOutcome:
    enrolled: int = 0
    already: int = 0
    # Each refused enrolment: the file's line, the person's phone and why (the domain's message).
    refusals: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return len(self.refusals)


def enrol_rows(campaign: Campaign, rows: list[ImportRow]) -> EnrollmentOutcome:
    """Enrol the imported people in ``campaign``, each for the unit of their row (the same rules as the
    page: published campaign, member of its subtree)."""
    outcome = EnrollmentOutcome()
    for row in rows:
        if not row.ok:
            continue
        try:
            enrol(row.existing, campaign, row.org)
        except AlreadyEnrolled:
            outcome.already += 1
        except DomainError as error:
            outcome.refusals.append((row.line, row.phone, str(error.message)))
        else:
            outcome.enrolled += 1
    return outcome
