"""The briefing's words: visit questions per service, what each zoning means, the programme's local steps.

Figures and their definitions are not here: they come from the one catalogue (:mod:`sentiers.base.catalogue`).
"""

from __future__ import annotations

# question for the visit when a service is absent ({where}: "dans la commune" / "dans l'intercommunalité")
# the services table's access column and how its distances are measured
ACCESS_HEADER: dict[str, str] = {"commune": "Le plus proche", "epci": "Habitants loin"}
ACCESS_NOTE = (
    "Le plus proche : distance à vol d'oiseau entre mairies, à la commune la plus proche qui en a un (par la route, "
    "compter 1,3 à 1,4 fois plus) ; pour une intercommunalité, la part des habitants au-delà de la distance où l'on "
    "parle de manque. Source : Insee, BPE (mêmes millésimes que le tableau)."
)
SERVICE_QUESTIONS: dict[str, str] = {
    "alimentation": "aucun commerce alimentaire {where} : qui assure l'approvisionnement, et comment font ceux qui n'ont pas de voiture ?",
    "epicerie": "aucune épicerie {where} : qui assure l'approvisionnement aujourd'hui ?",
    "superette": "aucune supérette {where} : où se font les petites courses du quotidien ?",
    "supermarche": "aucune grande surface {where} : où les habitants font-ils leurs courses, et comment s'y rendent-ils ?",
    "boulangerie": "aucune boulangerie {where} : existe-t-il un dépôt de pain ou une tournée ?",
    "station_service": "aucune station-service {where} : quelle distance faut-il parcourir pour faire le plein ?",
    "ecole": "aucune école {where} : où sont scolarisés les enfants, et avec quels transports ?",
    "medecin": "aucun médecin généraliste {where} : comment les habitants accèdent-ils aux soins de premier recours ?",
    "infirmier": "aucun cabinet infirmier {where} : qui assure les soins à domicile ?",
    "pharmacie": "aucune pharmacie {where} : comment se fait la délivrance des médicaments ?",
    "msp": "aucune maison de santé {where} : un projet de santé est-il en discussion ?",
    "poste": "aucun point de contact postal {where} : où se font les démarches postales ?",
    "banque": "aucune banque {where} : comment les habitants accèdent-ils aux espèces et aux conseils bancaires ?",
    "restaurant": "aucun restaurant {where} : où se retrouvent les habitants (café, salle, tiers-lieu) ?",
    "creche": "aucun accueil collectif du jeune enfant {where} : comment les familles font-elles garder leurs enfants ?",
    "ehpad": "aucun hébergement pour personnes âgées {where} : qui accompagne les aînés qui ne peuvent plus vivre seuls ?",
    "gare": "aucune gare {where} : quelles solutions de mobilité existent (transport à la demande, covoiturage) ?",
}

# One plain sentence per zoning or programme: what it can mean for an implantation.
ZONING_MEANINGS: dict[str, str] = {
    "frr": (
        "Le classement France Ruralités Revitalisation ouvre des exonérations fiscales et sociales aux "
        "entreprises qui s'implantent dans la commune : à vérifier pour votre statut avec un expert-comptable."
    ),
    "pvd": (
        "Petites villes de demain finance un ou une cheffe de projet de revitalisation : un interlocuteur "
        "naturel pour trouver un local et s'insérer dans le projet de centre-bourg."
    ),
    "va": (
        "Villages d'avenir apporte l'appui d'un chef de projet de l'État au département : une porte d'entrée "
        "pour un projet qui répond à un besoin du village."
    ),
    "acv": (
        "Action cœur de ville vise la revitalisation du centre de la ville moyenne voisine : des locaux et "
        "des aides au commerce et aux services peuvent y être mobilisés."
    ),
    "france_services": (
        "Une France services accueille les habitants pour leurs démarches : elle connaît les besoins non couverts "
        "et peut relayer votre offre."
    ),
    "centralite": (
        "Le niveau de centralité dit si la commune rayonne sur ses voisines pour les équipements et services : "
        "une commune centre attire les habitants des alentours."
    ),
}

RESOURCE_LAYERS: dict[str, str] = {
    "anct_france_services": "France services",
    "anct_fabriques": "Fabrique de territoire",
    "anct_manufactures": "Manufacture de proximité",
}

# the programme's local steps (Les Sentiers, accompagnement sur-mesure local)
STEPS: tuple[str, ...] = (
    "Comprendre le territoire",
    "Entrer en contact avec les acteurs du territoire",
    "Identifier les coopérations à initier",
)

# titles of the fiche's sections (HTML and PDF)
SECTION_TITLES = {
    "en_bref": "En bref",
    "ruralite": "Rural ou urbain ?",
    "carte": "Carte du territoire et de ses environs",
    "indicateurs": "Indicateurs clés",
    "services": "Services du quotidien",
    "zonages": "Zonages et programmes",
    "ressources": "Ressources locales",
    "acteurs": "Acteurs à rencontrer",
    "profil": "Adéquation au profil",
    "questions": "Questions pour la visite",
    "sources": "Sources et millésimes",
}
