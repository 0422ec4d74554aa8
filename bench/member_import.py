"""Importing a 10,000-row member spreadsheet (issue: "a 10,000-row file completes in a benchmark").

    python -m bench.member_import
    python -m bench.member_import --database-url postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench

Builds an XLSX file of 10,000 invented people spread over 100 units of one grassroots union, then times
reading it, checking every row, importing, and importing the same file again (which must change nothing).
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from openpyxl import Workbook
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.identity.id_numbers import check_character
from portal.models import Membership, OrgKind, User
from portal.orgs.tree import create_org
from portal.workflows.member_import import check_rows, import_rows, read_member_file

ROWS = 10_000
UNITS = 100
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def invented_name(number: int) -> str:
    """A made-up two- or three-character name (the check refuses names with digits, as it should)."""
    given = GIVEN[number % len(GIVEN)] + (GIVEN[(number // len(GIVEN)) % len(GIVEN)] if number % 3 else "")
    return SURNAMES[(number // 7) % len(SURNAMES)] + given


def build_file(rows: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["姓名", "手机号", "身份证号", "单位代码"])
    for number in range(rows):
        # Birth date and serial from the row number: no two rows share an ID number (n mod 2100 fixes the
        # date and the last two serial digits, n // 1000 the first).
        birth = f"{1970 + number % 30}{1 + number % 12:02d}{1 + number % 28:02d}"
        first17 = f"320102{birth}{number // 1000:01d}{number % 100:02d}"
        sheet.append(
            [
                invented_name(number),
                f"13{number % 7 + 3}{number:08d}",
                first17 + check_character(first17),
                f"B-{number % UNITS}",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"| {label} | {time.perf_counter() - start:.2f} |")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database; SQLite in a temporary folder by default")
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PII_KEY": "A" * 43 + "="})
    data = build_file(args.rows)
    with app.test_request_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
        root = create_org(code="B", name="基准测试工会", kind=OrgKind.GRASSROOTS_UNION)
        for unit in range(UNITS):
            create_org(code=f"B-{unit}", name=f"部门{unit}", kind=OrgKind.UNIT, parent=root)
        db.session.commit()
        print(f"{db.engine.dialect.name}: {args.rows:,} rows, {len(data) / 1024:.0f} KiB XLSX")
        print("| step | seconds |")
        print("|---|---|")
        records = timed("read the XLSX", lambda: read_member_file(data, "members.xlsx"))
        rows = timed("check every row", lambda: check_rows(root, records))
        assert all(row.ok for row in rows), [row.errors for row in rows if not row.ok][:3]
        timed(
            "import (accounts, profiles, memberships)",
            lambda: (import_rows(None, root, rows, source="bench"), db.session.commit()),
        )
        again = timed(
            "import the same file again",
            lambda: import_rows(
                None, root, check_rows(root, read_member_file(data, "members.xlsx")), source="bench"
            ),
        )
        db.session.commit()
        users = db.session.scalar(select(func.count()).select_from(User))
        memberships = db.session.scalar(select(func.count()).select_from(Membership))
        print(f"accounts {users:,}, memberships {memberships:,}, second run unchanged {again.unchanged:,}")
        for engine in db.engines.values():
            engine.dispose()


if __name__ == "__main__":
    main()
