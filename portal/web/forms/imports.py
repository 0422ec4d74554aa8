"""The member import upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired


class ImportUploadForm(FlaskForm):
    org_code = StringField(
        _l("Import into (code of a union you administer)"),
        validators=[DataRequired(_l("Enter the code of the union to import into."))],
    )
    file = FileField(
        _l("Spreadsheet (.xlsx or .csv)"),
        validators=[FileRequired(_l("Choose the file to import."))],
        description=_l("First row: 姓名, 手机号, 身份证号, 单位代码 (or name, phone, id_number, unit_code)."),
        render_kw={"accept": ".xlsx,.csv"},
    )
