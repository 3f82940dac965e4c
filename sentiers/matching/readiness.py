"""« Êtes-vous prêt·e ? »: the programme's selection criteria as a short guided form, and what each answer says.

The questions follow the criteria of the programme « Les Sentiers » in its own words (the défi, the ESS criteria,
innovation, maturity, the target territories; shared/reference/les-sentiers-programme.txt). Each option of a
question carries a status — ``pret`` (prêt), ``consolider`` (à consolider) or ``bloquant`` — with why and what to
prepare. The answers are a field of the structure's profile (:class:`Readiness`, validated strictly like the rest
of the profile); :func:`assess` turns them into one line per criterion. Nothing here adds the statuses up into a
score: the selection committee decides, on the application file, the structure's involvement and its strategy.

This lives beside the profile (matching) rather than in ``sentiers.study`` because the profile holds the answers
and the layers forbid matching to import from the study package; the study's dossier reads :func:`assess`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sentiers.base.codes import normalise_departement

Status = Literal["pret", "consolider", "bloquant", "sans_reponse"]
STATUS_LABELS: dict[str, str] = {
    "pret": "Prêt",
    "consolider": "À consolider",
    "bloquant": "Bloquant",
    "sans_reponse": "Sans réponse",
}
DISCLAIMER = (
    "Cette auto-évaluation reprend les critères de sélection du programme pour préparer la candidature ; elle "
    "n'est pas une note et ne préjuge pas de la décision du comité de sélection, qui lit aussi votre capacité "
    "d'implication dans le programme et votre stratégie de développement."
)


@dataclass(frozen=True)
class Option:
    label: str
    status: Status
    why: str
    prepare: str


@dataclass(frozen=True)
class Question:
    key: str
    group: str
    criterion: str  # the programme's words
    label: str  # the question asked
    options: dict[str, Option]


_G_DEFI = "1. Champ d'action"
_G_ESS = "2. Innovation sociale"
_G_MAT = "3. Stade de maturité"

QUESTIONS: tuple[Question, ...] = (
    Question(
        "defi_fit",
        _G_DEFI,
        "Votre projet répond à un des six défis de la ruralité identifiés par l'Avise et le RTES (projet Tressons).",
        "Le défi choisi est-il le cœur de votre projet ?",
        {
            "coeur": Option(
                "Oui, c'est le cœur du projet",
                "pret",
                "Le projet s'inscrit clairement dans un des six défis du programme.",
                "Une phrase qui relie votre activité au défi, reprise dans la candidature.",
            ),
            "en_partie": Option(
                "En partie : il touche aussi d'autres défis",
                "consolider",
                "Un projet à cheval sur plusieurs défis se lit moins bien par le comité.",
                "Choisissez le défi principal et dites en quoi les autres le complètent.",
            ),
            "non": Option(
                "Non, ou je ne sais pas",
                "bloquant",
                "Le programme accompagne des projets qui répondent à un des six défis.",
                "Relisez les six défis ; si aucun ne convient, échangez avec le contact du programme avant de candidater.",
            ),
        },
    ),
    Question(
        "lucrativite",
        _G_ESS,
        "Votre projet respecte les critères de l'économie sociale et solidaire : lucrativité limitée.",
        "Quel est le statut de votre structure ?",
        {
            "statut_ess": Option(
                "Association, coopérative, mutuelle ou fondation",
                "pret",
                "Ces statuts relèvent de l'ESS et limitent la lucrativité.",
                "Les statuts à jour, à joindre au dossier.",
            ),
            "societe_ess": Option(
                "Société commerciale de l'ESS (agrément ESUS ou statuts qui limitent la lucrativité)",
                "pret",
                "Une société de l'ESS limite la distribution des bénéfices.",
                "L'agrément ESUS ou l'extrait des statuts qui encadre les bénéfices.",
            ),
            "societe": Option(
                "Société commerciale sans limitation de la lucrativité",
                "bloquant",
                "Le programme demande une lucrativité limitée.",
                "Étudiez l'agrément ESUS ou une modification des statuts, ou portez le projet par une structure de l'ESS.",
            ),
            "ne_sait_pas": Option(
                "Je ne sais pas",
                "consolider",
                "Le statut décide de l'éligibilité : à vérifier avant de candidater.",
                "Vérifiez vos statuts (objet, affectation des bénéfices) avec votre accompagnateur.",
            ),
        },
    ),
    Question(
        "gouvernance",
        _G_ESS,
        "Votre projet respecte les critères de l'économie sociale et solidaire : gouvernance participative.",
        "Salariés, bénévoles ou usagers prennent-ils part aux décisions ?",
        {
            "oui": Option(
                "Oui, c'est prévu par les statuts et pratiqué",
                "pret",
                "La gouvernance participative est un critère de l'ESS.",
                "Décrivez les instances (qui vote, qui est représenté) en deux lignes.",
            ),
            "en_partie": Option(
                "En partie : des instances consultatives, sans pouvoir de décision",
                "consolider",
                "Une consultation sans décision partagée est une gouvernance participative incomplète.",
                "Dites comment les parties prenantes pèseront sur les décisions, y compris dans le nouveau territoire.",
            ),
            "non": Option(
                "Non",
                "bloquant",
                "Le programme demande une gouvernance participative.",
                "Prévoyez une instance où salariés, bénévoles ou usagers décident, avant de candidater.",
            ),
        },
    ),
    Question(
        "utilite_sociale",
        _G_ESS,
        "Votre projet respecte les critères de l'économie sociale et solidaire : utilité sociale.",
        "L'utilité sociale de votre activité est-elle établie ?",
        {
            "demontree": Option(
                "Oui : objet social, publics touchés et résultats décrits",
                "pret",
                "L'utilité sociale est documentée.",
                "Les chiffres clés (publics, bénéficiaires, résultats) à reprendre dans le dossier.",
            ),
            "affirmee": Option(
                "Affirmée mais pas encore décrite par des chiffres",
                "consolider",
                "Le comité lira des faits plutôt qu'une intention.",
                "Rassemblez quelques chiffres : personnes accompagnées, services rendus, partenaires.",
            ),
            "non": Option(
                "Non",
                "bloquant",
                "L'utilité sociale est un critère du programme.",
                "Formulez le besoin social auquel vous répondez et pour qui.",
            ),
        },
    ),
    Question(
        "innovation",
        _G_ESS,
        "Votre projet apporte une réponse nouvelle à un besoin nouveau, peu ou mal satisfait sur son territoire.",
        "Sur les territoires visés, le besoin auquel vous répondez est-il mal couvert ?",
        {
            "documente": Option(
                "Oui, et le besoin est documenté sur les territoires visés",
                "pret",
                "La réponse est nouvelle là où vous voulez aller.",
                "Les sources du besoin (chiffres de ce dossier, études locales, demandes d'élus).",
            ),
            "a_documenter": Option(
                "Oui, mais le besoin reste à documenter sur les territoires visés",
                "consolider",
                "Le besoin doit se voir sur le territoire d'implantation, pas seulement chez vous.",
                "Appuyez-vous sur les fiches de ce dossier (accès aux services, indicateurs) et sur les rencontres avec les acteurs locaux.",
            ),
            "offre_existe": Option(
                "Une offre semblable existe déjà sur les territoires visés",
                "consolider",
                "Le programme cherche des réponses en complémentarité avec les acteurs déjà présents.",
                "Consultez les acteurs de même activité listés dans les fiches : dites ce que vous apportez de plus, ou avec qui coopérer.",
            ),
            "ne_sait_pas": Option(
                "Je ne sais pas",
                "consolider",
                "L'innovation se juge au regard de ce qui existe sur le territoire visé.",
                "Lisez les acteurs à rencontrer et les services de chaque fiche de ce dossier.",
            ),
        },
    ),
    Question(
        "impact",
        _G_MAT,
        "Votre structure a fait la preuve de son impact sur son territoire.",
        "Votre impact sur votre territoire d'origine est-il prouvé ?",
        {
            "mesure": Option(
                "Oui : mesuré et documenté (évaluation, rapport d'impact)",
                "pret",
                "Une solution éprouvée est la condition de l'essaimage.",
                "L'évaluation ou le rapport d'impact, résumé en une page.",
            ),
            "constate": Option(
                "Constaté, mais pas encore documenté",
                "consolider",
                "Sans preuve écrite, l'impact se discute mal avec de nouveaux partenaires.",
                "Un bilan d'activité chiffré et deux ou trois témoignages de partenaires.",
            ),
            "trop_tot": Option(
                "Trop tôt : l'activité démarre",
                "bloquant",
                "Le programme accompagne des structures qui ont fait la preuve de leur impact.",
                "Consolidez l'activité sur votre territoire ; suivez en attendant les webinaires du programme.",
            ),
        },
    ),
    Question(
        "moyens",
        _G_MAT,
        "Votre structure a la volonté et se donne les moyens d'essaimer en territoire rural.",
        "L'essaimage est-il décidé, avec des moyens ?",
        {
            "decide": Option(
                "Décidé par les instances, avec du temps et un budget dédiés",
                "pret",
                "La volonté et les moyens sont là.",
                "La décision des instances et le budget prévisionnel de l'essaimage.",
            ),
            "volonte": Option(
                "Volonté affirmée, moyens encore à trouver",
                "consolider",
                "Le comité regarde si vous pourrez tenir l'effort pendant l'année du programme.",
                "Chiffrez le temps et le budget nécessaires et les financements à solliciter.",
            ),
            "pas_decide": Option(
                "Pas encore décidé",
                "bloquant",
                "Le programme s'adresse aux structures décidées à essaimer.",
                "Faites valider le projet d'essaimage par vos instances avant de candidater.",
            ),
        },
    ),
    Question(
        "enjeu_rural",
        _G_MAT,
        "Votre structure rencontre un enjeu à essaimer dans les territoires ruraux.",
        "Avez-vous une raison concrète d'aller vers des territoires ruraux ?",
        {
            "identifie": Option(
                "Oui : des demandes, des besoins ou des partenaires ruraux identifiés",
                "pret",
                "L'enjeu rural est établi.",
                "Les demandes reçues ou les besoins repérés, avec les territoires concernés.",
            ),
            "intuition": Option(
                "Une intuition, à vérifier",
                "consolider",
                "L'enjeu doit se vérifier sur des territoires précis.",
                "Servez-vous du classement et des fiches de ce dossier pour la confronter aux chiffres.",
            ),
            "non": Option(
                "Non",
                "bloquant",
                "Le programme est consacré à l'implantation en milieu rural.",
                "Précisez ce que la ruralité change pour votre projet avant de candidater.",
            ),
        },
    ),
    Question(
        "experimentation",
        _G_MAT,
        "Votre structure a la capacité d'expérimenter pendant l'année du programme (2024-2025 pour l'édition 2024).",
        "Pouvez-vous expérimenter sur un nouveau territoire dans l'année ?",
        {
            "oui": Option(
                "Oui : une personne et un budget sont prévus",
                "pret",
                "L'expérimentation pourra suivre l'accompagnement.",
                "Le calendrier et la personne qui portera l'expérimentation.",
            ),
            "partiel": Option(
                "En partie : la personne ou le budget manque",
                "consolider",
                "Sans porteur ni budget, l'expérimentation risque de glisser au-delà du programme.",
                "Dites qui portera l'expérimentation et avec quel financement.",
            ),
            "non": Option(
                "Non, pas dans l'année",
                "bloquant",
                "Le programme suppose une expérimentation dans l'année.",
                "Suivez les webinaires du programme et candidatez quand l'expérimentation sera possible.",
            ),
        },
    ),
)
QUESTIONS_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
ORIGINS: dict[str, str] = {
    "urbaine": "En ville",
    "rurale": "En milieu rural",
    "mixte": "Les deux",
}
MAX_COMMENT = 1000


class Readiness(BaseModel):
    """The structure's answers to « Êtes-vous prêt·e ? » (None: not answered). Each field's values are the keys of
    its question's options (checked by the tests)."""

    model_config = ConfigDict(extra="forbid")

    defi_fit: Literal["coeur", "en_partie", "non"] | None = None
    lucrativite: Literal["statut_ess", "societe_ess", "societe", "ne_sait_pas"] | None = None
    gouvernance: Literal["oui", "en_partie", "non"] | None = None
    utilite_sociale: Literal["demontree", "affirmee", "non"] | None = None
    innovation: Literal["documente", "a_documenter", "offre_existe", "ne_sait_pas"] | None = None
    impact: Literal["mesure", "constate", "trop_tot"] | None = None
    moyens: Literal["decide", "volonte", "pas_decide"] | None = None
    enjeu_rural: Literal["identifie", "intuition", "non"] | None = None
    experimentation: Literal["oui", "partiel", "non"] | None = None
    origine: Literal["urbaine", "rurale", "mixte"] | None = None  # where the structure works today
    siege_departement: str | None = None  # département of the head office
    comment: str = Field(default="", max_length=MAX_COMMENT)

    @field_validator("siege_departement", mode="before")
    @classmethod
    def _departement(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        code = (
            normalise_departement(value)
            if isinstance(value, str | int) and not isinstance(value, bool)
            else None
        )
        if code is None:
            raise ValueError("département du siège inconnu (code Insee attendu, ex. 26 ou 2A)")
        return code

    @field_validator("comment")
    @classmethod
    def _printable(cls, value: str) -> str:
        # line breaks are kept; other control characters do not survive a YAML round trip
        return "".join(
            ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Zl", "Zp")
        )


# -- assessment ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadinessLine:
    group: str
    criterion: str  # the programme's words
    question: str
    answer: str
    status: Status
    why: str
    prepare: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _territory_line(readiness: Readiness, profile: Any) -> ReadinessLine:
    """The target territories: covered départements, or the contact to write to (FAQ answers included)."""
    from sentiers.base.codes import DEPARTEMENT_REGION
    from sentiers.base.kiif import KiifError, load_kiif

    criterion = (
        "Les territoires d'implantation visés : les membres du Kiif accueillent votre étude de faisabilité "
        "sur les territoires qu'ils connaissent."
    )
    question = "Vos territoires visés sont-ils dans les départements couverts par le programme ?"
    try:
        kiif = load_kiif()
    except KiifError as exc:
        return ReadinessLine("4. Territoires visés", criterion, question, "", "consolider", str(exc), "")
    covered = set(kiif.departement_codes())
    contact = f"{kiif.contact.name} ({kiif.contact.email})"
    constraints = getattr(profile, "constraints", None)
    chosen = list(getattr(constraints, "departements", []) or [])
    regions = list(getattr(constraints, "regions", []) or [])
    kiif_only = bool(getattr(constraints, "kiif_only", True))
    notes: list[str] = []
    if readiness.origine in ("urbaine", "mixte"):
        notes.append(
            "Projet urbain qui adapte son modèle à la ruralité : le programme lui est ouvert (foire aux questions)."
        )
    if getattr(profile, "mode", "") == "dissemination":
        notes.append(
            "Essaimage par dissémination ou diffusion : encouragé par le programme, une antenne physique n'est "
            "pas obligatoire (foire aux questions)."
        )
    seat = readiness.siege_departement
    if seat:
        seat_region = DEPARTEMENT_REGION.get(seat)
        targets = chosen or sorted(covered)
        if any(DEPARTEMENT_REGION.get(d) == seat_region for d in targets):
            notes.append(
                "Essaimer dans la même région que le siège social est possible (foire aux questions)."
            )
    outside = [d for d in chosen if d not in covered]
    if chosen and not outside:
        answer = f"Départements choisis, tous couverts ({', '.join(chosen)})"
        status: Status = "pret"
        why = "Un incubateur du Kiif peut accueillir votre étude de faisabilité sur ces départements."
        prepare = "Nommez les deux ou trois territoires prioritaires de ce dossier dans la candidature."
    elif outside:
        answer = f"Départements hors couverture : {', '.join(outside)}"
        status = "consolider"
        why = (
            "Le programme n'accompagne cette année que les départements listés ; pour un autre département, il "
            "propose de vous mettre en lien avec une structure d'accompagnement locale."
        )
        prepare = f"Écrivez au contact du programme, {contact}, en nommant les départements visés."
    elif kiif_only:
        answer = "Pas de département imposé ; classement limité aux départements couverts"
        status = "pret"
        why = "Les territoires de ce dossier sont tous dans des départements couverts par un membre du Kiif."
        prepare = "Choisissez parmi la liste courte les territoires à présenter."
    else:
        where = f" (régions {', '.join(regions)})" if regions else ""
        answer = f"Classement ouvert à des départements non couverts{where}"
        status = "consolider"
        why = "Une partie des territoires classés peut se trouver hors des départements couverts."
        prepare = f"Pour un territoire hors couverture, écrivez au contact du programme, {contact}."
    if notes:
        why = why + " " + " ".join(notes)
    return ReadinessLine("4. Territoires visés", criterion, question, answer, status, why, prepare)


def assess(readiness: Readiness | None, profile: Any = None) -> list[ReadinessLine]:
    """One line per criterion: the answer, its status, why and what to prepare (unanswered: « sans réponse »)."""
    readiness = readiness or Readiness()
    lines: list[ReadinessLine] = []
    for question in QUESTIONS:
        value = getattr(readiness, question.key)
        criterion = question.criterion
        if question.key == "defi_fit" and profile is not None:
            from sentiers.base.defis import DEFIS

            criterion += f" Défi choisi : « {DEFIS.get(getattr(profile, 'defi', ''), '')} »."
        if value is None:
            lines.append(
                ReadinessLine(
                    question.group,
                    criterion,
                    question.label,
                    "",
                    "sans_reponse",
                    "Question sans réponse.",
                    "Répondez à la question pour savoir quoi préparer.",
                )
            )
            continue
        option = question.options[value]
        lines.append(
            ReadinessLine(
                question.group,
                criterion,
                question.label,
                option.label,
                option.status,
                option.why,
                option.prepare,
            )
        )
    lines.append(_territory_line(readiness, profile))
    return lines


def counts(lines: list[ReadinessLine]) -> dict[str, int]:
    """How many criteria in each status (said as such, never added into a score)."""
    out = dict.fromkeys(STATUS_LABELS, 0)
    for line in lines:
        out[line.status] += 1
    return out


def summary_text(lines: list[ReadinessLine]) -> str:
    """« 7 critères prêts, 2 à consolider, 1 bloquant. » (only the statuses that occur)."""
    found = counts(lines)
    parts = []
    if found["pret"]:
        parts.append(f"{found['pret']} prêt{'s' if found['pret'] > 1 else ''}")
    if found["consolider"]:
        parts.append(f"{found['consolider']} à consolider")
    if found["bloquant"]:
        parts.append(f"{found['bloquant']} bloquant{'s' if found['bloquant'] > 1 else ''}")
    if found["sans_reponse"]:
        parts.append(f"{found['sans_reponse']} sans réponse")
    total = len(lines)
    return f"{total} critères : " + ", ".join(parts) + "."
