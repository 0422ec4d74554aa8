"""A board's export written in the background (docs/benchmarks.md, "Boards";
``portal/boards/export_files.py``): what the job costs on the data ``bench/boards.py`` generated, asked for
by one of its members as an admin would.

    PYTHONPATH=. .venv/bin/python -m bench.board_export_job \\
        --database-url postgresql://postgres@127.0.0.1:5432/portal_boards [--board individual]

Prints the job's time, the rows and the file's size, and the process's peak memory before and after
(``ru_maxrss``). The request, its audit entry and its file are removed afterwards.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

from sqlalchemy import delete, select

from bench.boards import bench_app, newest_campaign
from portal.boards.export_files import export_dir, request_board_export, run_board_export
from portal.campaigns.rules import BoardKind
from portal.extensions import db
from portal.models import AuditEntry, BoardExport, Campaign, User


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--board", choices=[kind.value for kind in BoardKind], default="individual")
    args = parser.parse_args()
    app = bench_app(args.database_url)
    app.config["EXPORT_DIR"] = tempfile.mkdtemp(prefix="board-exports-")
    campaign_id = newest_campaign(app)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        asker = db.session.scalars(select(User).order_by(User.id).limit(1)).one()
        export_id = request_board_export(asker, campaign, BoardKind(args.board)).id
        db.session.commit()
        before = peak_mb()
        started = time.perf_counter()
        status = run_board_export(export_id)
        took = time.perf_counter() - started
        export = db.session.get(BoardExport, export_id)
        print(
            f"{args.board} board of campaign {campaign_id}: {status}, {export.row_count:,} rows, "
            f"{export.byte_size / 1e6:.1f} MB in {took:.1f} s ({export.row_count / took:,.0f} rows/s); "
            f"peak memory {before:.0f} MB before, {peak_mb():.0f} MB after"
        )
        (export_dir() / export.file_name).unlink()
        db.session.execute(delete(BoardExport).where(BoardExport.id == export_id))
        db.session.execute(
            delete(AuditEntry).where(AuditEntry.action == "board.export", AuditEntry.actor_id == asker.id)
        )
        db.session.commit()


if __name__ == "__main__":
    main()
