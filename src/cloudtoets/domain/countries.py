"""ISO 3166-1 alpha-2 country codes and their Dutch names.

Which countries the policy allows or counts as the EEA is policy, not fact: it lives in the
policy's parameters (``eea``, ``allowed_countries``), never here. This module only knows codes
and how to name them in a Dutch sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ISO_COUNTRY_CODES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
    """.split()
)

# Dutch names of the countries that occur in the catalogue, in the policies' parameters and in
# most registers; other codes are shown as the code itself. A name that takes an article in a
# sentence ("in de Verenigde Staten") carries it here: COUNTRIES holds the name without it.
_NAMES: Mapping[str, str] = {
    "AD": "Andorra",
    "AE": "de Verenigde Arabische Emiraten",
    "AL": "Albanië",
    "AR": "Argentinië",
    "AT": "Oostenrijk",
    "AU": "Australië",
    "AW": "Aruba",
    "BA": "Bosnië en Herzegovina",
    "BE": "België",
    "BG": "Bulgarije",
    "BM": "Bermuda",
    "BQ": "Caribisch Nederland",
    "BR": "Brazilië",
    "BY": "Belarus",
    "CA": "Canada",
    "CH": "Zwitserland",
    "CL": "Chili",
    "CN": "China",
    "CU": "Cuba",
    "CW": "Curaçao",
    "CY": "Cyprus",
    "CZ": "Tsjechië",
    "DE": "Duitsland",
    "DK": "Denemarken",
    "EE": "Estland",
    "EG": "Egypte",
    "ES": "Spanje",
    "FI": "Finland",
    "FO": "de Faeröer",
    "FR": "Frankrijk",
    "GB": "het Verenigd Koninkrijk",
    "GE": "Georgië",
    "GG": "Guernsey",
    "GI": "Gibraltar",
    "GL": "Groenland",
    "GR": "Griekenland",
    "HK": "Hongkong",
    "HR": "Kroatië",
    "HU": "Hongarije",
    "ID": "Indonesië",
    "IE": "Ierland",
    "IL": "Israël",
    "IM": "het eiland Man",
    "IN": "India",
    "IR": "Iran",
    "IS": "IJsland",
    "IT": "Italië",
    "JE": "Jersey",
    "JP": "Japan",
    "KP": "Noord-Korea",
    "KR": "Zuid-Korea",
    "KY": "de Kaaimaneilanden",
    "KZ": "Kazachstan",
    "LI": "Liechtenstein",
    "LT": "Litouwen",
    "LU": "Luxemburg",
    "LV": "Letland",
    "MA": "Marokko",
    "MC": "Monaco",
    "MD": "Moldavië",
    "ME": "Montenegro",
    "MK": "Noord-Macedonië",
    "MT": "Malta",
    "MX": "Mexico",
    "MY": "Maleisië",
    "NL": "Nederland",
    "NO": "Noorwegen",
    "NZ": "Nieuw-Zeeland",
    "PH": "de Filipijnen",
    "PL": "Polen",
    "PT": "Portugal",
    "QA": "Qatar",
    "RO": "Roemenië",
    "RS": "Servië",
    "RU": "Rusland",
    "SA": "Saoedi-Arabië",
    "SE": "Zweden",
    "SG": "Singapore",
    "SI": "Slovenië",
    "SK": "Slowakije",
    "SX": "Sint-Maarten",
    "TH": "Thailand",
    "TR": "Turkije",
    "TW": "Taiwan",
    "UA": "Oekraïne",
    "US": "de Verenigde Staten",
    "VG": "de Britse Maagdeneilanden",
    "VN": "Vietnam",
    "ZA": "Zuid-Afrika",
}
_ARTICLES = ("de ", "het ")


def _bare(name: str) -> str:
    for article in _ARTICLES:
        if name.startswith(article):
            return name.removeprefix(article)
    return name


# The names as a heading or a list item shows them: "Verenigde Staten".
COUNTRIES: Mapping[str, str] = {code: _bare(name) for code, name in _NAMES.items()}


def country_name(code: str | None) -> str:
    """The Dutch name without article ("Verenigde Staten"); an unknown code as itself."""
    if not code:
        return ""
    return COUNTRIES.get(code.upper(), code.upper())


def country_in_sentence(code: str) -> str:
    """The Dutch name as a sentence needs it: "de Verenigde Staten", "Australië"."""
    return _NAMES.get(code.upper(), code.upper())


def join_dutch(items: Iterable[str]) -> str:
    """ "A", "A en B", "A, B en C"; "-" for none."""
    items = list(items)
    if not items:
        return "-"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " en " + items[-1]


def countries_in_sentence(codes: Iterable[str]) -> str:
    """Countries as a Dutch list, in the order of their names: "Australië en de Verenigde
    Staten"; "-" for none."""
    return join_dutch(
        country_in_sentence(code) for code in sorted(codes, key=lambda c: country_name(c))
    )
