"""Gentle checks on a parting letter while the owner writes it.

Each finding names what it saw, why it matters, and where (character span) so the
composer can underline it. The checks follow the practice: no details of blame, no
emotional language, a clear decision with nothing left open ("might", "for now"),
alternatives offered, and the final invoice mentioned. They are advice: nothing is
refused because of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    code: (
        str  # blame | emotion | ambiguous | unfilled | missing_decision | missing_alternatives | missing_final_invoice
    )
    message: str
    start: int
    end: int
    text: str = ""


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


BLAME = _words(
    r"(?:your|his|her|their) fault",
    r"fault",
    r"blam\w*",
    r"failed to",
    r"failure to",
    r"refus\w+",
    r"you (?:never|always)",
    r"unreasonabl[ey]",
    r"rude(?:ness)?",
    r"abus\w+",
    r"hostile",
    r"aggressi\w+",
    r"difficult",
    r"demanding",
    r"unacceptable",
    r"disrespect\w*",
    r"li(?:ed|es|ar|ars|ying)",
    r"threat\w*",
    r"harass\w*",
    r"behaviou?r",
    r"attitude",
    r"inappropriate",
    r"insult\w*",
    r"yell\w*",
    r"shout\w*",
    r"scream\w*",
    r"(?:did not|didn't|never) pa(?:y|id)",
    r"late payments?",
    r"non-payment",
)
EMOTION = _words(
    r"frustrat\w*",
    r"upset\w*",
    r"angry",
    r"anger",
    r"furious",
    r"disappoint\w*",
    r"hurt",
    r"sick of",
    r"fed up",
    r"tired of",
    r"(?:can't|cannot|can not) believe",
    r"ridiculous",
    r"outrageous",
    r"shock\w*",
    r"appall\w*",
    r"horrible",
    r"terrible",
    r"awful",
    r"stress\w*",
    r"exhaust\w*",
    r"hate",
    r"enough is enough",
)
EXCLAMATION = re.compile(r"!+")
AMBIGUOUS = _words(
    r"might",
    r"maybe",
    r"perhaps",
    r"possibly",
    r"probably",
    r"for now",
    r"at this time",
    r"at (?:the|this) moment",
    r"for the time being",
    r"hopefully",
    r"we(?:'ll| will) see",
    r"(?:a|take a) (?:pause|break)",
    r"temporar\w+",
    r"not sure",
    r"unsure",
    r"revisit",
    r"reconsider",
)
UNFILLED = re.compile(r"\[[^\]\n]{1,80}\]|\$\{\w+\}")
DECISION = _words(
    r"decided",
    r"decision",
    r"will no longer",
    r"are not able to",
    r"cannot take on",
    r"end(?:ing)? our",
    r"not (?:to )?renew",
    r"will not take on",
    r"not to take on",
)
ALTERNATIVES = _words(
    r"recommend\w*",
    r"referr\w*",
    r"alternatives?",
    r"other (?:providers?|contractors?|compan(?:y|ies)|firms?|businesses)",
    r"a good match",
    r"suggest\w*",
)
FINAL_INVOICE = _words(
    r"final (?:invoice|bill|statement|payment)",
    r"refunds?",
    r"balance",
    r"no (?:further )?invoice",
    r"nothing (?:further )?(?:is )?owed",
)

_WHY = {
    "blame": "points at blame; the letter is stronger without reasons or details",
    "emotion": "is emotional language; a calm, neutral tone leaves less to argue with",
    "ambiguous": "leaves the door open; say the decision plainly",
    "unfilled": "is a placeholder still to fill in",
}


def check_letter(text: str, *, needs_final_invoice: bool = True) -> list[Finding]:
    """Every finding in ``text``, in the order they appear (whole-letter findings last)."""
    findings: list[Finding] = []
    for code, pattern in (("blame", BLAME), ("emotion", EMOTION), ("ambiguous", AMBIGUOUS), ("unfilled", UNFILLED)):
        for match in pattern.finditer(text):
            word = match.group(0)
            findings.append(Finding(code, f"“{word}” {_WHY[code]}.", match.start(), match.end(), word))
    for match in EXCLAMATION.finditer(text):
        findings.append(
            Finding(
                "emotion",
                "An exclamation mark raises the temperature; a full stop reads calmer.",
                match.start(),
                match.end(),
                match.group(0),
            )
        )
    findings.sort(key=lambda f: (f.start, f.end))
    if not DECISION.search(text):
        findings.append(
            Finding(
                "missing_decision", "State the decision in one clear sentence (e.g. “we have decided to end…”).", 0, 0
            )
        )
    if not ALTERNATIVES.search(text):
        findings.append(
            Finding("missing_alternatives", "Offer alternatives: name other providers you recommend.", 0, 0)
        )
    if needs_final_invoice and not FINAL_INVOICE.search(text):
        findings.append(
            Finding(
                "missing_final_invoice",
                "Say what happens with the final invoice and any refund, so nothing is left open.",
                0,
                0,
            )
        )
    return findings
