from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional


class NetworkLookForm(FlaskForm):
    """The logo and colour of a network's header; the file and the colour are checked in services."""

    logo = FileField(_l("Logo"), description=_l("PNG eller SVG, høyst 256 kB. Vises i toppen av nettverkets sider, "
                                                "om lag 40 piksler høy."),
                     render_kw={"accept": "image/png,image/svg+xml,.png,.svg"})
    remove_logo = BooleanField(_l("Fjern logoen"))
    colour = StringField(_l("Farge"), validators=[Optional(), Length(max=20)],
                         description=_l("Toppens farge som #rrggbb, for eksempel #1f4e5f. Teksten blir hvit eller svart, "
                                        "den som er mest lesbar. Tomt gir standardfargen."),
                         render_kw={"placeholder": "#1f4e5f", "autocomplete": "off", "spellcheck": "false"})
