"""Importing members from a spreadsheet: upload, preview every row with its errors, confirm."""

from __future__ import annotations

from flask import Blueprint, flash, g, session
from flask_babel import gettext as _
from flask_login import current_user

from portal.common.errors import DomainError
from portal.common.uploads import save_pending_upload, take_pending_upload
from portal.orgs.scope import get_org_in_scope_by_code
from portal.web.forms.imports import ImportUploadForm
from portal.web.helpers import redirect_to, refused, require_admin_scope, show_domain_error, split_preview
from portal.web.htmx import render
from portal.workflows.member_import import check_rows, import_rows, read_member_file

bp = Blueprint("imports", __name__, url_prefix="/admin/import")
bp.before_request(require_admin_scope)


@bp.route("/", methods=["GET", "POST"])
def upload():
    """Upload a file and see every row checked before anything is written."""
    form = ImportUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        filename = form.file.data.filename or ""
        try:
            root = get_org_in_scope_by_code(g.scope, form.org_code.data)
            rows = check_rows(root, read_member_file(data, filename))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            token = save_pending_upload(data)
            session["member_import"] = {"token": token, "filename": filename, "org": root.code}
            preview = split_preview(rows)
            return render(
                "imports/preview.html",
                root=root,
                filename=filename,
                new=sum(1 for row in preview["good"] if not row.already_member),
                **preview,
            )
    elif not form.is_submitted() and g.scope.root_paths:
        form.org_code.data = current_user.admin_roles[0].organisation.code
    return render("imports/upload.html", form=form)


@bp.post("/confirm")
def confirm():
    """Import the rows that passed the checks (checked again now, since time has passed)."""
    pending = session.pop("member_import", None) or {}
    data = take_pending_upload(pending.get("token"))
    if data is None:
        flash(_("The preview has expired. Upload the file again."), "error")
        return redirect_to("imports.upload")
    try:
        root = get_org_in_scope_by_code(g.scope, pending["org"])
        rows = check_rows(root, read_member_file(data, pending["filename"]))
        outcome = import_rows(current_user, root, rows, source=pending["filename"])
    except DomainError as error:
        flash(refused(error), "error")
        return redirect_to("imports.upload")
    flash(
        _(
            "Imported: %(accounts)d new accounts, %(memberships)d new memberships, "
            "%(unchanged)d already members.",
            accounts=outcome.accounts_created,
            memberships=outcome.memberships_started,
            unchanged=outcome.unchanged,
        ),
        "success",
    )
    return redirect_to("admin.org_detail", org_id=root.id)
