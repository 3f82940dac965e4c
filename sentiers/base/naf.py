"""Activity codes (NAF rév. 2, INSEE): normalising and checking a code, its label, the short list of activities.

The register (Sirene) gives every legal unit a NAF code (« 88.99B »). This module holds what Sentiers needs to
read one: the 21 sections and 88 divisions of the nomenclature with their labels, the labels of the sub-classes
the short list and the actors' tables name, and the short list of activities a structure may choose from
instead of typing a code. A code outside the labelled sub-classes is shown with its division's label
(« Industries alimentaires (10.71C) »): the full list of 732 sub-classes is INSEE's, not repeated here.

Source: INSEE, Nomenclature d'activités française NAF rév. 2 (2008), Licence Ouverte.
"""

from __future__ import annotations

import re

NAF_SOURCE = "Insee, nomenclature d'activités française (NAF rév. 2)"

SECTIONS: dict[str, str] = {
    "A": "Agriculture, sylviculture et pêche",
    "B": "Industries extractives",
    "C": "Industrie manufacturière",
    "D": "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    "E": "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
    "F": "Construction",
    "G": "Commerce ; réparation d'automobiles et de motocycles",
    "H": "Transports et entreposage",
    "I": "Hébergement et restauration",
    "J": "Information et communication",
    "K": "Activités financières et d'assurance",
    "L": "Activités immobilières",
    "M": "Activités spécialisées, scientifiques et techniques",
    "N": "Activités de services administratifs et de soutien",
    "O": "Administration publique",
    "P": "Enseignement",
    "Q": "Santé humaine et action sociale",
    "R": "Arts, spectacles et activités récréatives",
    "S": "Autres activités de services",
    "T": "Activités des ménages en tant qu'employeurs",
    "U": "Activités extra-territoriales",
}

# division -> (section, label)
DIVISIONS: dict[str, tuple[str, str]] = {
    "01": ("A", "Culture et production animale, chasse et services annexes"),
    "02": ("A", "Sylviculture et exploitation forestière"),
    "03": ("A", "Pêche et aquaculture"),
    "05": ("B", "Extraction de houille et de lignite"),
    "06": ("B", "Extraction d'hydrocarbures"),
    "07": ("B", "Extraction de minerais métalliques"),
    "08": ("B", "Autres industries extractives"),
    "09": ("B", "Services de soutien aux industries extractives"),
    "10": ("C", "Industries alimentaires"),
    "11": ("C", "Fabrication de boissons"),
    "12": ("C", "Fabrication de produits à base de tabac"),
    "13": ("C", "Fabrication de textiles"),
    "14": ("C", "Industrie de l'habillement"),
    "15": ("C", "Industrie du cuir et de la chaussure"),
    "16": ("C", "Travail du bois et fabrication d'articles en bois et en liège"),
    "17": ("C", "Industrie du papier et du carton"),
    "18": ("C", "Imprimerie et reproduction d'enregistrements"),
    "19": ("C", "Cokéfaction et raffinage"),
    "20": ("C", "Industrie chimique"),
    "21": ("C", "Industrie pharmaceutique"),
    "22": ("C", "Fabrication de produits en caoutchouc et en plastique"),
    "23": ("C", "Fabrication d'autres produits minéraux non métalliques"),
    "24": ("C", "Métallurgie"),
    "25": ("C", "Fabrication de produits métalliques, à l'exception des machines et des équipements"),
    "26": ("C", "Fabrication de produits informatiques, électroniques et optiques"),
    "27": ("C", "Fabrication d'équipements électriques"),
    "28": ("C", "Fabrication de machines et équipements n.c.a."),
    "29": ("C", "Industrie automobile"),
    "30": ("C", "Fabrication d'autres matériels de transport"),
    "31": ("C", "Fabrication de meubles"),
    "32": ("C", "Autres industries manufacturières"),
    "33": ("C", "Réparation et installation de machines et d'équipements"),
    "35": ("D", "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné"),
    "36": ("E", "Captage, traitement et distribution d'eau"),
    "37": ("E", "Collecte et traitement des eaux usées"),
    "38": ("E", "Collecte, traitement et élimination des déchets ; récupération"),
    "39": ("E", "Dépollution et autres services de gestion des déchets"),
    "41": ("F", "Construction de bâtiments"),
    "42": ("F", "Génie civil"),
    "43": ("F", "Travaux de construction spécialisés"),
    "45": ("G", "Commerce et réparation d'automobiles et de motocycles"),
    "46": ("G", "Commerce de gros, à l'exception des automobiles et des motocycles"),
    "47": ("G", "Commerce de détail, à l'exception des automobiles et des motocycles"),
    "49": ("H", "Transports terrestres et transport par conduites"),
    "50": ("H", "Transports par eau"),
    "51": ("H", "Transports aériens"),
    "52": ("H", "Entreposage et services auxiliaires des transports"),
    "53": ("H", "Activités de poste et de courrier"),
    "55": ("I", "Hébergement"),
    "56": ("I", "Restauration"),
    "58": ("J", "Édition"),
    "59": ("J", "Production de films, de vidéo et de programmes de télévision ; enregistrement sonore"),
    "60": ("J", "Programmation et diffusion"),
    "61": ("J", "Télécommunications"),
    "62": ("J", "Programmation, conseil et autres activités informatiques"),
    "63": ("J", "Services d'information"),
    "64": ("K", "Activités des services financiers, hors assurance et caisses de retraite"),
    "65": ("K", "Assurance"),
    "66": ("K", "Activités auxiliaires de services financiers et d'assurance"),
    "68": ("L", "Activités immobilières"),
    "69": ("M", "Activités juridiques et comptables"),
    "70": ("M", "Activités des sièges sociaux ; conseil de gestion"),
    "71": ("M", "Activités d'architecture et d'ingénierie ; contrôle et analyses techniques"),
    "72": ("M", "Recherche-développement scientifique"),
    "73": ("M", "Publicité et études de marché"),
    "74": ("M", "Autres activités spécialisées, scientifiques et techniques"),
    "75": ("M", "Activités vétérinaires"),
    "77": ("N", "Activités de location et location-bail"),
    "78": ("N", "Activités liées à l'emploi"),
    "79": ("N", "Activités des agences de voyage, voyagistes, services de réservation"),
    "80": ("N", "Enquêtes et sécurité"),
    "81": ("N", "Services relatifs aux bâtiments et aménagement paysager"),
    "82": ("N", "Activités administratives et autres activités de soutien aux entreprises"),
    "84": ("O", "Administration publique et défense ; sécurité sociale obligatoire"),
    "85": ("P", "Enseignement"),
    "86": ("Q", "Activités pour la santé humaine"),
    "87": ("Q", "Hébergement médico-social et social"),
    "88": ("Q", "Action sociale sans hébergement"),
    "90": ("R", "Activités créatives, artistiques et de spectacle"),
    "91": ("R", "Bibliothèques, archives, musées et autres activités culturelles"),
    "92": ("R", "Organisation de jeux de hasard et d'argent"),
    "93": ("R", "Activités sportives, récréatives et de loisirs"),
    "94": ("S", "Activités des organisations associatives"),
    "95": ("S", "Réparation d'ordinateurs et de biens personnels et domestiques"),
    "96": ("S", "Autres services personnels"),
    "97": ("T", "Activités des ménages en tant qu'employeurs de personnel domestique"),
    "98": ("T", "Activités indifférenciées des ménages pour usage propre"),
    "99": ("U", "Activités des organisations et organismes extraterritoriaux"),
}

# sub-classes named by the short list and the actors' tables (labels of the nomenclature)
SUBCLASSES: dict[str, str] = {
    "01.13Z": "Culture de légumes, de melons, de racines et de tubercules",
    "10.71C": "Boulangerie et boulangerie-pâtisserie",
    "35.11Z": "Production d'électricité",
    "38.11Z": "Collecte des déchets non dangereux",
    "38.32Z": "Récupération de déchets triés",
    "47.11B": "Commerce d'alimentation générale",
    "47.11C": "Supérettes",
    "47.79Z": "Commerce de détail de biens d'occasion en magasin",
    "49.39B": "Autres transports routiers de voyageurs",
    "56.10A": "Restauration traditionnelle",
    "56.30Z": "Débits de boissons",
    "68.20A": "Location de logements",
    "70.22Z": "Conseil pour les affaires et autres conseils de gestion",
    "78.30Z": "Autre mise à disposition de ressources humaines",
    "81.30Z": "Services d'aménagement paysager",
    "84.11Z": "Administration publique générale",
    "85.51Z": "Enseignement de disciplines sportives et d'activités de loisirs",
    "85.52Z": "Enseignement culturel",
    "85.59A": "Formation continue d'adultes",
    "85.59B": "Autres enseignements",
    "86.21Z": "Activité des médecins généralistes",
    "87.10A": "Hébergement médicalisé pour personnes âgées",
    "87.90B": "Hébergement social pour adultes et familles en difficultés et autre hébergement social",
    "88.10A": "Aide à domicile",
    "88.10B": "Accueil ou accompagnement sans hébergement d'adultes handicapés ou de personnes âgées",
    "88.10C": "Aide par le travail",
    "88.91A": "Accueil de jeunes enfants",
    "88.99A": "Autre accueil ou accompagnement sans hébergement d'enfants et d'adolescents",
    "88.99B": "Action sociale sans hébergement n.c.a.",
    "90.01Z": "Arts du spectacle vivant",
    "91.01Z": "Gestion des bibliothèques et des archives",
    "93.12Z": "Activités de clubs de sports",
    "93.29Z": "Autres activités récréatives et de loisirs",
    "94.99Z": "Autres organisations fonctionnant par adhésion volontaire",
    "95.29Z": "Réparation d'autres biens personnels et domestiques",
}

# The short list a structure may pick its activity from (slug -> (what people call it, NAF sub-class)).
ACTIVITY_CHOICES: dict[str, tuple[str, str]] = {
    "epicerie": ("Épicerie, commerce alimentaire de proximité", "47.11B"),
    "cafe-associatif": ("Café, bar, tiers-lieu", "56.30Z"),
    "restauration": ("Restauration", "56.10A"),
    "boulangerie": ("Boulangerie", "10.71C"),
    "aide-a-domicile": ("Aide à domicile", "88.10A"),
    "accueil-jeunes-enfants": ("Accueil de jeunes enfants (crèche, micro-crèche)", "88.91A"),
    "action-sociale": ("Action sociale, accompagnement", "88.99B"),
    "hebergement-social": ("Hébergement social", "87.90B"),
    "insertion-emploi": ("Insertion, mise à disposition de personnel", "78.30Z"),
    "formation": ("Formation d'adultes", "85.59A"),
    "reemploi": ("Réemploi, recyclerie, ressourcerie", "47.79Z"),
    "recyclage": ("Collecte et recyclage de déchets", "38.32Z"),
    "reparation": ("Réparation d'objets", "95.29Z"),
    "energie": ("Production d'énergie renouvelable", "35.11Z"),
    "maraichage": ("Maraîchage, agriculture", "01.13Z"),
    "mobilite": ("Mobilité, transport de personnes", "49.39B"),
    "sante": ("Santé (maison de santé, centre de santé)", "86.21Z"),
    "culture": ("Culture, spectacle vivant", "90.01Z"),
    "sport-loisirs": ("Sport, loisirs", "93.29Z"),
    "vie-associative": ("Vie associative, éducation populaire", "94.99Z"),
    "conseil": ("Conseil, accompagnement d'entreprises", "70.22Z"),
}

_CODE_RE = re.compile(r"^(\d{2})\.?(\d)(\d)([A-Z])$")


def normalise_naf(value: object) -> str | None:
    """« 88.99B », « 8899B », « 88.99b », « 88 99 B » -> « 88.99B »; None when it is not shaped like a NAF code
    of a known division."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"[\s]", "", value).upper()
    match = _CODE_RE.match(text)
    if not match or match.group(1) not in DIVISIONS:
        return None
    return f"{match.group(1)}.{match.group(2)}{match.group(3)}{match.group(4)}"


def division_of(code: str) -> str:
    return str(code)[:2]


def section_of(code: str) -> str:
    found = DIVISIONS.get(division_of(code))
    return found[0] if found else ""


def naf_label(code: str | None) -> str:
    """The sub-class label when labelled here, else the division's label with the code; "" for no code."""
    if not code:
        return ""
    code = normalise_naf(code) or str(code)
    if code in SUBCLASSES:
        return SUBCLASSES[code]
    division = DIVISIONS.get(division_of(code))
    return f"{division[1]} ({code})" if division else f"Activité {code}"


def activity_code(value: object) -> str | None:
    """A NAF code from a code or a slug of the short list; None when it is neither."""
    if isinstance(value, str) and value.strip().lower() in ACTIVITY_CHOICES:
        return ACTIVITY_CHOICES[value.strip().lower()][1]
    return normalise_naf(value)
