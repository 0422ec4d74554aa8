"""Flask CLI commands. Each one calls the same services as the pages, as one transaction
(``portal.transactions.committed``): kept when it ends, dropped when it fails."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.boards.reading import read_board
from portal.boards.snapshots import refresh_boards
from portal.campaigns.campaign import campaign_rules, publish_campaign
from portal.campaigns.day_rules import local_today
from portal.campaigns.rules import BoardKind, load_preset
from portal.campaigns.tokens import issue_partner_token
from portal.common.errors import DomainError
from portal.common.phones import parse_phone
from portal.dashboard.node_figures import days_to_date, open_days, refresh_figures
from portal.demo.seeding import load_demo, load_org_tree, read_yaml
from portal.extensions import db
from portal.identity.accounts import create_account, find_user_by_phone
from portal.models.base import utcnow
from portal.models.campaign import DEFAULT_TIMEZONE, Campaign
from portal.orgs.roles import grant_union_admin, make_platform_admin
from portal.orgs.tree import get_org_by_code
from portal.transactions import committed
from portal.workflows.campaign_setup import check_publishable, create_campaign
from portal.workflows.member_import import check_rows, enrol_rows, import_rows, read_member_file
from portal.workflows.pii_rotation import rotate_pii_key
from portal.workflows.settlement import settle_day

seed_cli = AppGroup("seed", help="Load seed data.")
admin_cli = AppGroup("admin", help="Manage administrators.")
member_cli = AppGroup("member", help="Manage members.")
campaign_cli = AppGroup("campaign", help="Manage campaigns.")
token_cli = AppGroup("token", help="Manage API tokens.")
jobs_cli = AppGroup("jobs", help="Background jobs (with REDIS_URL set).")
pii_cli = AppGroup("pii", help="Personal information at rest.")


def _seeds_dir() -> Path:
    return Path(current_app.config.get("SEEDS_DIR") or Path(current_app.root_path).parent / "seeds")


def _fail(error: DomainError) -> None:
    raise click.ClickException(str(error.message))


@seed_cli.command("demo")
@committed
def seed_demo() -> None:
    """Load the union trees and the demo people (safe to run again)."""
    try:
        counts = load_demo(_seeds_dir())
    except DomainError as error:
        _fail(error)
    click.echo(
        f"demo loaded: {counts['organisations']} organisations, {counts['people']} people, "
        f"{counts['campaigns']} campaigns and {counts['contests']} works collections created"
    )


@seed_cli.command("orgs")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@committed
def seed_orgs(path: Path) -> None:
    """Load one union tree from a YAML file (safe to run again)."""
    try:
        created = load_org_tree(read_yaml(path))
    except DomainError as error:
        _fail(error)
    click.echo(f"{created} organisations created")


@admin_cli.command("create")
@click.option("--phone", required=True, help="The admin's mobile number.")
@click.option("--password", help="Password for a new account (asked for when the account is new).")
@click.option("--platform", is_flag=True, help="Make a platform admin (everything).")
@click.option("--org", "org_code", help="Make a union admin of the node with this code and its subtree.")
@committed
def admin_create(phone: str, password: str | None, platform: bool, org_code: str | None) -> None:
    """Create an administrator, or give an existing account an admin role."""
    if platform == bool(org_code):
        raise click.UsageError("Give exactly one of --platform or --org CODE.")
    try:
        number = parse_phone(phone)
        user = find_user_by_phone(number)
        if user is None:
            if password is None:
                password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            user = create_account(number, password)
        if platform:
            make_platform_admin(user, actor=None)
            role = "platform admin"
        else:
            org = get_org_by_code(org_code or "")
            grant_union_admin(user, org, actor=None)
            role = f"union admin of {org.code} {org.name}"
    except DomainError as error:
        _fail(error)
    click.echo(f"{user.phone}: {role}")


@member_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True, help="Code of the union the members are imported into.")
@click.option("--enrol", "campaign_id", type=int, help="Also enrol them in this campaign, for their unit.")
@committed
def member_import(path: Path, org_code: str, campaign_id: int | None) -> None:
    """Import members from a CSV or XLSX file (name, phone, id_number, unit_code); safe to run again.

    Rows with problems are listed and left out; the others are imported.
    """
    try:
        root = get_org_by_code(org_code)
        rows = check_rows(root, read_member_file(path.read_bytes(), path.name))
        outcome = import_rows(None, root, rows, source=path.name)
        enrollment_outcome = enrol_rows(_campaign_or_fail(campaign_id), rows) if campaign_id else None
    except DomainError as error:
        _fail(error)
    for row in rows:
        if not row.ok:
            click.echo(f"line {row.line}: {' '.join(row.errors)}", err=True)
    refused = sum(1 for row in rows if not row.ok)
    click.echo(
        f"{outcome.accounts_created} accounts created, {outcome.memberships_started} memberships started, "
        f"{outcome.unchanged} unchanged, {refused} rows refused"
    )
    if enrollment_outcome is not None:
        for line, phone, reason in enrollment_outcome.refusals:
            click.echo(f"line {line}: {phone} not enrolled: {reason}", err=True)
        click.echo(
            f"{enrollment_outcome.enrolled} enrolled, {enrollment_outcome.already} already enrolled, "
            f"{enrollment_outcome.refused} refused"
        )
    if refused or (enrollment_outcome is not None and enrollment_outcome.refused):
        raise SystemExit(1)  # a script running the import must see that something was left out


@campaign_cli.command("create")
@click.option("--preset", required=True, help="Rule preset: eco-walk, motherland-100 or teachers-7day.")
@click.option("--org", "org_code", required=True, help="Code of the union that runs the campaign.")
@click.option("--start", "start_day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option("--title", help="Title (the preset's by default).")
@click.option(
    "--publish",
    is_flag=True,
    help="Publish it at once, after the same checks as the campaign's page (a draft by default).",
)
@click.option(
    "--allow-past-start",
    is_flag=True,
    help="Accept a first day before today: the campaign is running at once, its rules can no longer be "
    "changed, and the days before today can only be filled by imports and partners.",
)
@committed
def campaign_create(
    preset: str, org_code: str, start_day, title: str | None, publish: bool, allow_past_start: bool
) -> None:
    """Create a campaign from a preset and print its id: a draft, or published with ``--publish`` once the
    checklist of its page has nothing required left (the same check as the page's publish button)."""
    try:
        _defaults, rules = load_preset(preset)
    except DomainError as error:
        _fail(error)
    today = local_today(utcnow(), DEFAULT_TIMEZONE)
    if start_day.date() < today and not allow_past_start:
        ended = start_day.date() + timedelta(days=rules.length_days - 1) < today
        raise click.ClickException(
            f"the first day {start_day.date()} is before today ({today}): the campaign "
            + ("would have ended already. " if ended else "would be running at once and its rules fixed. ")
            + "Members enrolling now only report from today on; the days before count only where an "
            "import or a partner fills them"
            + ("" if rules.enrolment_after_start else ", and this preset refuses enrolment after the start")
            + ". Choose a first day from today on, or pass --allow-past-start to mean it."
        )
    try:
        campaign = create_campaign(
            None,
            get_org_by_code(org_code),
            preset=preset,
            start_day=start_day.date(),
            title=title,
        )
        if publish:
            check_publishable(campaign, today=today)
            publish_campaign(None, campaign)
    except DomainError as error:
        _fail(error)
    click.echo(campaign.id)


def _campaign_or_fail(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    return campaign


@campaign_cli.command("settle")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="The local day (yesterday by default).")
@committed
def campaign_settle(campaign_id: int, day) -> None:
    """Judge a day's reports again by the current rules and write its totals (safe to repeat)."""
    campaign = _campaign_or_fail(campaign_id)
    target = day.date() if day else local_today(utcnow(), campaign.timezone) - timedelta(days=1)
    if not campaign.start_day <= target <= campaign.end_day:
        raise click.ClickException(f"{target} is not a day of campaign {campaign_id}")
    settled = settle_day(campaign, target)
    click.echo(
        f"{target}: {settled.reporting}/{settled.enrolled} reported, {settled.qualified} qualified, "
        f"{settled.counted_steps} counted steps"
    )


@campaign_cli.command("figures")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--all-days", is_flag=True, help="Every day so far, not just yesterday and today.")
@committed
def campaign_figures(campaign_id: int, all_days: bool) -> None:
    """Refresh the admin dashboard's figures of the campaign (safe to repeat)."""
    campaign = _campaign_or_fail(campaign_id)
    now = utcnow()
    days = days_to_date(campaign, now) if all_days else open_days(campaign, now)
    refresh_figures(campaign, days=days, now=now)
    click.echo(f"refreshed {len(days)} days at {now:%Y-%m-%d %H:%M:%S} UTC")


@campaign_cli.command("rank")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@committed
def campaign_rank(campaign_id: int, limit: int) -> None:
    """Refresh the campaign's boards now, then print the top of the individual board (masked names)."""
    campaign = _campaign_or_fail(campaign_id)
    result = refresh_boards(campaign)
    if result is None:
        board = read_board(campaign, BoardKind.INDIVIDUAL, limit=1)
        if board.frozen:
            click.echo("the boards are frozen: the campaign has ended and its final boards stay as they are")
        else:
            click.echo("another worker is refreshing these boards right now; printed as last computed")
    else:
        figures = ", ".join(f"{kind} {count:,} rows" for kind, count in result.rows.items())
        click.echo(
            f"refreshed at {result.computed_at:%Y-%m-%d %H:%M:%S} UTC: {figures}"
            + (", frozen" if result.frozen else "")
        )
    for row in read_board(campaign, BoardKind.INDIVIDUAL, limit=limit).rows:
        click.echo(
            f"{row.rank}\t{row.name}\t{row.unit}\t{row.qualified_days}\t{row.checkin_days}\t{row.steps}"
        )


@campaign_cli.command("export")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--board", "kind", type=click.Choice([kind.value for kind in BoardKind]), default="individual")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@committed
def campaign_export(campaign_id: int, kind: str, out: Path) -> None:
    """Write every row of a board to an Excel file (as the admins' export; logged in the audit trail)."""
    from portal.boards.export import export_board

    campaign = _campaign_or_fail(campaign_id)
    chosen = BoardKind(kind)
    if chosen not in campaign_rules(campaign).ranking.kinds:
        raise click.ClickException(f"campaign {campaign_id} has no {kind} board")
    written = export_board(None, campaign, chosen)
    view = written.view
    with written.handle as handle, out.open("wb") as target:
        while data := handle.read(1024 * 1024):
            target.write(data)
    click.echo(
        f"{out}: the {kind} board as of {view.updated_at:%Y-%m-%d %H:%M} UTC" if view.updated_at else str(out)
    )


@campaign_cli.command("final-draws")
@click.option("--campaign", "campaign_id", required=True, type=int)
@committed
def campaign_final_draws(campaign_id: int) -> None:
    """Give the top N of the final individual ranking their draw (once, after the last day is settled)."""
    from portal.rewards.chances import grant_final_rank_chances

    campaign = _campaign_or_fail(campaign_id)
    try:
        granted = grant_final_rank_chances(None, campaign)
    except DomainError as error:
        _fail(error)
    click.echo(f"{granted} final-ranking draw chances given")


@token_cli.command("create")
@click.option("--partner", is_flag=True, required=True, help="A partner token (the only kind made here).")
@click.option(
    "--campaign", "campaign_id", required=True, type=int, help="The campaign the partner reports for."
)
@click.option("--name", default="partner", help="Who the token is for.")
@committed
def token_create(partner: bool, campaign_id: int, name: str) -> None:
    """Make a partner token for one campaign and print it once."""
    campaign = _campaign_or_fail(campaign_id)
    issued = issue_partner_token(None, campaign, name)
    click.echo(issued.secret)


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
def jobs_worker(burst: bool) -> None:
    """Run queued jobs (the ranking boards' refreshes) from Redis: one process, one job at a time."""
    from flask import current_app
    from rq import SimpleWorker

    from portal.jobs import job_queue

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: without Redis the web processes refresh the boards")
    queue = job_queue(app)
    SimpleWorker([queue], connection=queue.connection).work(burst=burst)


@jobs_cli.command("tick")
def jobs_tick() -> None:
    """Refresh (or, with Redis, enqueue) every campaign whose boards are due, once, and forget the board
    exports older than BOARD_EXPORT_KEEP_DAYS; for cron."""
    from flask import current_app

    from portal.jobs import run_tick

    due = run_tick(current_app._get_current_object())
    click.echo(f"{len(due)} campaign(s) due: {', '.join(map(str, due)) or '-'}")


@pii_cli.command("rotate-key")
@click.option(
    "--new-key",
    envvar="NEW_PII_KEY",
    prompt="The new PII key (32 random bytes, URL-safe base64)",
    hide_input=True,
    confirmation_prompt=True,
    help="The new key; from NEW_PII_KEY or asked for, never on the command line (shell history).",
)
@committed
def pii_rotate_key(new_key: str) -> None:
    """Re-encrypt ID numbers and shipping addresses under a new PORTAL_PII_KEY, in one transaction.

    Stop the web first; then start every host with PORTAL_PII_KEY set to the new key.
    """
    try:
        rotated = rotate_pii_key(new_key)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"re-encrypted {rotated.id_numbers} ID numbers and {rotated.addresses} shipping addresses; "
        f"dropped {rotated.codes_dropped} pending SMS codes. Now set PORTAL_PII_KEY to the new key on "
        "every host and start them."
    )


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_cli)
    app.cli.add_command(admin_cli)
    app.cli.add_command(member_cli)
    app.cli.add_command(campaign_cli)
    app.cli.add_command(token_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(pii_cli)
