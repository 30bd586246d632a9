"""The questions the network has asked after every activity (see DOMAIN.md, Evaluations)."""

from flask_babel import lazy_gettext as _l

from netapp.blueprints.evaluations.models import QuestionKind

STANDARD_QUESTIONS = (
    (QuestionKind.SCALE, _l("Hvor stor faglig nytte hadde du av dette?"), True),
    (QuestionKind.SCALE, _l("Hvordan vurderer du foredragsholderne?"), True),
    (QuestionKind.SCALE, _l("Hvor nyttig var refleksjonen etterpå?"), False),
    (QuestionKind.SCALE, _l("Hvor verdifullt var det å møte kolleger fra andre tjenester?"), False),
    (QuestionKind.YES_NO, _l("Får du tid på jobben til å dele kunnskapen videre?"), False),
    (QuestionKind.TEXT, _l("Hva bør vi endre til neste gang?"), False),
)
