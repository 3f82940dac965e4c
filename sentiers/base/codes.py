"""French geographic codes: communes, arrondissements municipaux, départements, régions, EPCI.

The one place that says what a code looks like and normalises what people and spreadsheets make of it
("1" -> "01", "2a" -> "2A", "1001.0" -> "01001").
"""

from __future__ import annotations

import re

from sentiers.errors import SentiersError
from sentiers.fr import quoted

COMMUNE_CODE_PATTERN = r"^(?:[0-9]{5}|2[AB][0-9]{3})$"
_COMMUNE_CODE = re.compile(COMMUNE_CODE_PATTERN)
SIREN_PATTERN = r"^[0-9]{9}$"

DROM = ("971", "972", "973", "974", "976")
# INSEE départements by région (COG 2024-2026; stable since the 2016 régions and Mayotte 2011).
REGION_DEPARTEMENTS: dict[str, tuple[str, ...]] = {
    "01": ("971",),
    "02": ("972",),
    "03": ("973",),
    "04": ("974",),
    "06": ("976",),
    "11": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "24": ("18", "28", "36", "37", "41", "45"),
    "27": ("21", "25", "39", "58", "70", "71", "89", "90"),
    "28": ("14", "27", "50", "61", "76"),
    "32": ("02", "59", "60", "62", "80"),
    "44": ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),
    "52": ("44", "49", "53", "72", "85"),
    "53": ("22", "29", "35", "56"),
    "75": ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"),
    "76": ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),
    "84": ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"),
    "93": ("04", "05", "06", "13", "83", "84"),
    "94": ("2A", "2B"),
}
DEPARTEMENT_REGION: dict[str, str] = {d: r for r, deps in REGION_DEPARTEMENTS.items() for d in deps}
DEPARTEMENT_CODES = frozenset(DEPARTEMENT_REGION)

# Paris, Lyon, Marseille: their arrondissements municipaux (ARM) double count them in INSEE files.
PLM_ARM_PREFIXES = {"75056": "751", "69123": "6938", "13055": "132"}
PLM_NAMES = {"75056": "Paris", "69123": "Lyon", "13055": "Marseille"}
# arrondissements municipaux: Paris 75101-75120, Lyon 69381-69389, Marseille 13201-13216
ARM_PATTERN = r"751(?:0[1-9]|1[0-9]|20)|6938[1-9]|132(?:0[1-9]|1[0-6])"
_ARM = re.compile(ARM_PATTERN)


def is_commune_code(code: str) -> bool:
    return bool(_COMMUNE_CODE.match(str(code)))


def is_arm(code: str) -> bool:
    """True for an arrondissement municipal of Paris, Lyon or Marseille."""
    return bool(_ARM.fullmatch(str(code)))


def arm_parent(code: str) -> str:
    """The commune of an arrondissement municipal (75056, 69123, 13055), else the code itself."""
    if not is_arm(code):
        return code
    return next((parent for parent, prefix in PLM_ARM_PREFIXES.items() if code.startswith(prefix)), code)


def is_siren(code: str) -> bool:
    return bool(re.fullmatch(SIREN_PATTERN, str(code).strip()))


def normalise_code(value: object, restore_zero: bool = False) -> str | None:
    """A 5-character commune code; with ``restore_zero``, also what spreadsheets make of it ('1001', '1001.0')."""
    text = str(value).strip().upper().replace(" ", "")
    if restore_zero:
        if text.endswith(".0"):
            text = text[:-2]
        if re.fullmatch(r"\d{4}", text):
            text = "0" + text
    return text if _COMMUNE_CODE.match(text) else None


def normalise_departement(value: object) -> str | None:
    """'1' -> '01', '2a' -> '2A', '974' -> '974', '26.0' -> '26'; None when it is not a département code."""
    text = str(value).strip().upper()
    if text.endswith(".0"):
        text = text[:-2]
    if text.isdigit() and len(text) < 2:
        text = text.zfill(2)
    return text if text in DEPARTEMENT_CODES else None


def normalise_region(value: object) -> str | None:
    text = str(value).strip()
    if text.isdigit() and len(text) < 2:
        text = text.zfill(2)
    return text if text in REGION_DEPARTEMENTS else None


def check_departement_code(code: object) -> str:
    """The normalised département code; SentiersError (French) when it is not one."""
    value = normalise_departement(code)
    if value is None:
        raise SentiersError(
            f"Département inconnu : {quoted(code, 20)}. Codes attendus : 01 à 95, 2A, 2B, 971 à 976."
        )
    return value


def check_region_code(code: object) -> str:
    value = normalise_region(code)
    if value is None:
        raise SentiersError(
            f"Région inconnue : {quoted(code, 20)}. Codes Insee attendus : "
            + ", ".join(sorted(REGION_DEPARTEMENTS))
            + "."
        )
    return value
