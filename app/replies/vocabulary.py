"""The words and phrases the reply parser recognises, Dutch and English, and how a
written word is matched to them (folding, typo tolerance).

Every entry is folded as `fold` folds a reply's words: lowercase, accents and
apostrophes removed ("één" -> "een", "sms'en" -> "smsen"). Phrases are tuples of
such words and must appear as consecutive words.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA, Levenshtein
from rapidfuzz.process import extract

LEXICON_DIR = Path(__file__).with_name("lexicon")


def fold(raw: str) -> str:
    """Lowercase, drop accents and apostrophes: "Eén" -> "een", "sms'en" -> "smsen"."""
    decomposed = unicodedata.normalize("NFKD", raw)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.lower().replace("'", "").replace("’", "")


def _load_lexicon() -> dict[str, list]:
    """Merge every lexicon/*.toml: lists are concatenated, tables merged (a language is a file)."""
    merged: dict[str, list] = {}
    for path in sorted(LEXICON_DIR.glob("*.toml")):
        for key, value in tomllib.loads(path.read_text(encoding="utf-8")).items():
            entries = list(value.items()) if isinstance(value, dict) else list(value)
            merged.setdefault(key, []).extend(entries)
    return merged


LEXICON = _load_lexicon()


def _words(key: str, base: set | frozenset = frozenset()) -> frozenset:
    """Return `base` plus the lexicon's single words under `key`, folded."""
    return frozenset(base) | {fold(w) for w in LEXICON.get(key, ()) if " " not in w}


def _phrases(key: str, base: tuple = ()) -> tuple:
    """Return `base` plus the lexicon's phrases under `key`, as tuples of folded words."""
    return base + tuple(tuple(fold(w).split()) for w in LEXICON.get(key, ()) if " " in w)


def _table(key: str, base: dict) -> dict:
    """Return `base` plus the lexicon's word -> value table under `key`."""
    return {**base, **{fold(word): value for word, value in LEXICON.get(key, ())}}


def _alternation(key: str) -> str:
    """Return the lexicon's phrases under `key` as a regex alternation of folded words."""
    return "|".join(re.escape(fold(p)) for p in sorted(LEXICON.get(key, ()), key=len, reverse=True))

# --- STOP / START / HELP -----------------------------------------------------

# Any of these anywhere in a reply opts out: none of them means anything else.
OPT_OUT_WORDS = _words("opt_out_words", frozenset({
    "stopall", "unsubscribe", "uitschrijven", "uitschrijving", "afmelden", "afmelding",
    "optout",
}))
# "stop" and "stoppen" are also Dutch for "put" ("stop het maar bij de buren") and English
# for "call at" ("can you stop at nr 12"), so they opt out only with nothing else said ...
STOP_VERBS = _words("stop_verbs", frozenset({"stop", "stoppen"}))
# ... apart from politeness (POLITE) and these: "stop deze berichten", "I want to stop now".
STOP_COMPANIONS = _words("stop_companions", frozenset({
    "met", "sms", "smsen", "smsje", "smsjes", "jes", "en", "bericht", "berichten",
    "berichtjes", "meldingen", "notificaties", "updates", "dit", "deze", "die", "dat", "de",
    "het", "al", "alle", "alles", "allemaal", "sturen", "versturen", "toesturen", "ermee",
    "hiermee", "daarmee", "nu", "nou", "eens", "gewoon", "meteen", "direct", "onmiddellijk",
    "gelijk", "maar", "dan", "toch", "hoor", "ik", "wil", "me", "mij", "mijn", "jullie",
    "service", "dienst", "spam", "spammen", "onzin", "zo", "snel", "ajb",
    "text", "texts", "texting", "message", "messages", "messaging", "send", "sending",
    "the", "these", "this", "those", "them", "it", "all", "now", "right", "away",
    "immediately", "just", "my", "i", "want", "to", "with", "notifications", "alerts",
    "spamming", "enquete", "enquetes", "survey", "surveys",
    # "Kunnen jullie stoppen?", "Can you please stop": a question that asks for nothing else
    "kan", "kun", "kunt", "kunnen", "wilt", "willen", "zou", "zouden", "can", "could", "would", "will",
}))
# Twilio treats these as opt-out only as the whole message ("cancel my order" is not).
STOP_SINGLE = frozenset({"cancel", "end", "quit", "revoke"})
# Only these undo an opt-out phrase: "no" and "geen" rarely negate a verb.
CONTROL_NEGATIONS = frozenset({"niet", "not", "dont", "nooit", "never", "doesnt", "didnt", "wont"})
# Opt-out phrases, anywhere, unless one of those comes just before ("don't stop sending").
# Matched against the reply's folded words, with "|" where punctuation ended a clause.
_MESSAGES = (
    r"(?:sms|smsen|smsje|smsjes|berichten|berichtjes|texts?|messages?|meldingen"
    r"|notificaties|notifications|alerts)"
)
STOP_PHRASES = re.compile(
    r"\b" + "".join(rf"(?<!\b{word} )" for word in sorted(CONTROL_NEGATIONS)) + r"(?:"
    rf"geen (?:{_MESSAGES}|texten) meer"
    r"|niet meer (?:smsen|sms|sturen|berichten|texten|appen)"
    rf"|wil geen {_MESSAGES}"
    r"|(?:dont|do not) want (?:any )?(?:more )?(?:texts?|messages|sms)"
    r"|no more (?:texts?|messages|sms)"
    r"|(?:dont|do not|stop) (?:text|message|sms)(?:ing)? me"
    r"|stop(?:pen)? (?:(?:nu|nou|maar|dan|toch|gewoon|eens|now|just|please|aub|graag) )*(?:met |with )?"
    rf"(?:(?:het|de|die|deze|al die|alle|the|these|all|your|those) )?(?:{_MESSAGES}"
    r"|sturen|versturen|texten|appen|spammen|texting|messaging|sending|spamming)"
    r"|opt out"
    r"|hou(?:d|dt)? (?:nou |eens )?op met"
    r")\b"
)
# Opt-out phrases from the lexicon files ("laat me met rust", "arrêtez de m'envoyer"), same negation rule.
OPT_OUT_PHRASES = re.compile(
    r"\b" + "".join(rf"(?<!\b{word} )" for word in sorted(CONTROL_NEGATIONS))
    + rf"(?:{_alternation('opt_out_phrases')})\b"
)
# "yes"/"ja" are deliberately absent: in Bijna they answer our questions, not opt-ins.
START_WORDS = _words("start_words", frozenset({"start", "unstop", "aanmelden"}))
HELP_WORDS = _words("help_words", frozenset({"help", "hulp", "info", "informatie"}))
HELP_PHRASES = re.compile(
    r"\b(?:"
    r"(?:wat|wie) (?:is|ben|bent|zijn) (?:dit|dat|jij|u|jullie)"
    r"|wat betekent dit|wat moet ik (?:hiermee|doen)"
    r"|waarom (?:krijg|ontvang) ik (?:dit|deze|dat)"
    r"|(?:what|who) (?:is|are) (?:this|that|you)|whats this|whos this|what does this mean"
    r"|why (?:am i getting|do i get|did i get)"
    rf"|{_alternation('help_phrases')}"
    r")\b"
)

# --- the delivery options: 1 neighbour, 2 new slot, 3 pickup point -----------

NEIGHBOUR_WORDS = _words("neighbour_words", frozenset({
    "buren", "buur", "buurman", "buurvrouw", "buurjongen", "buurmeisje", "buurtjes",
    "buurmannen", "buurvrouwen", "overbuur", "overburen", "overbuurman", "overbuurvrouw",
    "bovenburen", "bovenbuurman", "bovenbuurvrouw", "benedenburen", "benedenbuurman",
    "benedenbuurvrouw", "onderburen", "buurhuis", "hiernaast",
    "neighbour", "neighbours", "neighbor", "neighbors", "nextdoor",
}))
NEIGHBOUR_PHRASES = _phrases("neighbour_phrases", (("next", "door"),))

WEEKDAYS = (
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december", "january", "february",
    "june", "july", "august", "october",
)  # no "may"/"march": "you may leave it next door" is not a date
RESCHEDULE_WORDS = _words("reschedule_words", frozenset({
    "morgen", "morgenochtend", "morgenmiddag", "morgenavond", "overmorgen", "tomorrow",
    "later", "vanavond", "vanmiddag", "tonight", "weekend", "opnieuw", "nogmaals", "herbezorgen",
    "herbezorging", "reschedule", "rebook", "redeliver", "redelivery", "herplannen",
    "verzetten", "uitstellen", "postpone", "tijdslot", "timeslot", *WEEKDAYS, *MONTHS,
}))
RESCHEDULE_PHRASES = _phrases("reschedule_phrases", (("niet", "vandaag"), ("not", "today"), ("new", "slot")))
# A part of the day asks for another time when said as one ("'s avonds", "smiddags") or after these
# ("liever in de ochtend", "evening please" is left out: "Morning!" greets).
PART_OF_DAY_ADVERBS = frozenset({"avonds", "savonds", "ochtends", "sochtends", "middags", "smiddags", "smorgens"})
PART_OF_DAY_WORDS = PART_OF_DAY_ADVERBS | {"avond", "ochtend", "middag", "morning", "afternoon", "evening"}
PART_OF_DAY_LEADS = frozenset({"liever", "rather", "in", "s", "de", "the", "prefer"})
# "ander moment", "another day", "een nieuwe tijd": a modifier, then (within two words) a time noun.
SLOT_MODIFIERS = _words("slot_modifiers", frozenset({
    "ander", "andere", "anders", "another", "different", "other", "nieuw", "nieuwe",
    "new", "volgende", "next", "later", "latere",
}))
SLOT_NOUNS = _words("slot_nouns", frozenset({
    "tijd", "tijdstip", "tijdslot", "tijdvak", "slot", "dag", "moment", "datum", "keer",
    "week", "afspraak", "bezorgmoment", "bezorgdag", "time", "day", "date", "timeslot",
}))

PICKUP_WORDS = _words("pickup_words", frozenset({
    "afhaalpunt", "pakketpunt", "servicepunt", "ophaalpunt", "afhaallocatie",
    "pickup", "pickuppoint", "parcelshop", "pakketwinkel", "pakketautomaat",
    "pakketkluis", "locker", "postkantoor", "servicepoint", "parcelpoint",
}))
PICKUP_PHRASES = _phrases("pickup_phrases", (
    ("pick", "up", "point"), ("pick", "up", "location"), ("pickup", "point"),
    ("parcel", "shop"), ("parcel", "point"), ("parcel", "locker"), ("service", "point"),
    ("collection", "point"), ("post", "office"), ("pakket", "punt"), ("afhaal", "punt"),
    ("service", "punt"), ("postnl", "punt"), ("dhl", "punt"), ("dpd", "punt"),
))
# "I'll collect it", "ik haal het zelf op": pickup, unless a stronger word says otherwise.
# Shops that host most Dutch pickup points, weak because "ik sta bij de Bruna" also parses.
PICKUP_WEAK_WORDS = _words("pickup_weak_words", frozenset({
    "ophalen", "afhalen", "zelf", "collect", "myself", "primera", "bruna", "ako",
}))
PICKUP_WEAK_PHRASES = _phrases("pickup_weak_phrases", (("pick", "up"), ("pick", "it", "up")))

OPTION_NUMBERS = _table("option_numbers", {"een": 1, "one": 1, "twee": 2, "two": 2, "drie": 3, "three": 3})
RATING_NUMBERS = _table("rating_numbers", {**OPTION_NUMBERS, "vier": 4, "four": 4, "vijf": 5, "five": 5})
RATING_NOUNS = _words("rating_nouns", frozenset({"ster", "sterren", "star", "stars", "punten", "points"}))
OPTION_INTENTS = {1: "neighbour", 2: "reschedule", 3: "pickup_point"}
# Where a negation's reach ends (see NEGATION_LISTS).
OPTION_WORDS = NEIGHBOUR_WORDS | RESCHEDULE_WORDS | PICKUP_WORDS | set(OPTION_NUMBERS) | {"1", "2", "3"}

# --- slot letters -------------------------------------------------------------

ORDINALS = _table("ordinals", {
    "eerste": 1, "first": 1, "1e": 1, "1st": 1, "tweede": 2, "second": 2, "2e": 2,
    "2nd": 2, "derde": 3, "third": 3, "3e": 3, "3rd": 3, "vierde": 4, "fourth": 4,
    "4e": 4, "4th": 4, "vijfde": 5, "fifth": 5, "5e": 5, "5th": 5, "zesde": 6,
    "sixth": 6, "6e": 6, "6th": 6,
})
LAST_WORDS = _words("last_words", frozenset({"laatste", "last"}))
LETTER_MARKERS = _words("letter_markers", frozenset({
    "optie", "option", "keuze", "choice", "slot", "tijdslot", "letter", "pakket",
    "parcel", "package", "bestelling", "order", "nummer", "number",
}))
# A lone letter after these is a choice: "doe maar B", "niet A maar B", "I take C".
LETTER_LEADS = _words("letter_leads", frozenset({
    "maar", "liever", "dan", "toch", "neem", "kies", "take", "choose", "pick", "rather", "but",
}))

# --- words that carry no choice ---------------------------------------------

POLITE = _words("polite", frozenset({
    "graag", "aub", "svp", "alsjeblieft", "alstublieft", "asjeblieft", "please", "pls",
    "plz", "thanks", "thank", "thx", "tnx", "bedankt", "dank", "dankje", "dankjewel",
    "dankuwel", "je", "u", "you", "ok", "oke", "okay", "okee", "prima", "top", "super",
    "ja", "yes", "yep", "jazeker", "sure", "hoi", "hallo", "hey", "hi", "hello", "beste",
    "dag", "goedemorgen", "goedemiddag", "goedenavond",
}))
FILLER = _words("filler", frozenset({
    "de", "het", "die", "dat", "is", "maar", "doe", "dan", "ik", "i", "ill", "id", "im",
    "take", "neem", "kies", "choose", "want", "wil", "liever", "toch", "wordt", "the",
    "it", "be", "will", "goed", "lijkt", "me", "mij", "fine", "works", "wel", "hoor",
    *LETTER_MARKERS,
}))
NEGATIONS = _words("negations", frozenset({"niet", "not", "geen", "no", "nooit", "never", "dont"}))
# "ik ben niet thuis, bij de buren" — the "niet" is about being home, not the choice.
NEGATION_EXEMPT_NEXT = _words("negation_exempt_next", frozenset({"thuis", "home", "aanwezig", "in", "er"}))
# "niet 1 maar 2": a contrast ends what the negation covers.
NEGATION_ENDS = _words("negation_ends", frozenset({"maar", "but", "liever", "rather", "instead", "wel"}))
# Verbs, "it" and adverbs between a negation and the option do not count towards its reach:
# "niet afgeven bij de buren", "don't leave it with the neighbours", "niet meer bij de buren".
NEGATION_SKIPS = _words("negation_skips", frozenset({
    "afgeven", "bezorgen", "brengen", "leggen", "stoppen", "stop", "laten", "achterlaten",
    "zetten", "leave", "deliver", "drop", "give", "bring", "put", "het", "hem", "it",
    "meer", "more", "ook", "also", "even", "zomaar", "graag", "aub", "please", "pls",
}))
# Dutch "pas morgen", "pas om 3" is "not until": the French negation "pas" does not reach these.
DUTCH_PAS = frozenset({"morgen", "overmorgen", "om", "na", "vanaf", "rond", "thuis", "volgende", "volgend",
                       "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"})
# A negation covers one option, unless a list follows: "niet 1 of 2", "geen buren of afhaalpunt".
NEGATION_LISTS = _words("negation_lists", frozenset({"of", "or", "en", "and", "noch", "nor"}))
# After a neighbour word these say the neighbours are out: "buren zijn niet thuis".
NEIGHBOURS_AWAY = re.compile(
    r"(?:(?:zijn|is|are|were|waren) (?:(?:er|ook|also|helaas|vandaag|today) )*"
    r"(?:niet|not|nooit|never|weg|away|out)|arent|isnt|werent|niet thuis|not home|not in"
    r"|(?:zijn |is |are )?(?:op vakantie|on holiday|on vacation)"
    rf"|{_alternation('neighbours_away')})\b"
)

# --- a change of mind, and a question ---------------------------------------------

# After one of these the choice that follows counts: "buren… nee, toch maar het afhaalpunt".
CHANGE_WORDS = _words("change_words")
CHANGE_PHRASES = _phrases("change_phrases")
# A reply with "?" and one of these asks something: "welk afhaalpunt?", "kan het bij de buren, of moet ...?"
QUESTION_WORDS = _words("question_words")
QUESTION_OPENERS = _words("question_openers")  # a sentence that opens with these asks: "is 3 het afhaalpunt?"
ALTERNATIVES = frozenset({"of", "or", "ou"})  # "..., of moet er getekend worden?": another question
DAY_UNITS = _words("day_units")  # "over 2 à 3 dagen": a later day

# --- numbers that are addresses, times or counts, not options -----------------

ADDRESS_MARKERS = _words("address_markers", frozenset({"nr", "no", "nummer", "number", "huisnummer", "huisnr", "num"}))
OPTION_MARKERS = frozenset({"optie", "option", "keuze", "choice", "nummer", "number"})
PLACE_PREPS = _words("place_preps", frozenset({"op", "at", "bij", "aan"}))
TIME_PREPS = _words("time_preps", frozenset({
    "om", "na", "after", "before", "tot", "until", "till", "vanaf", "from", "tussen",
    "between", "rond", "around", "rondom", "half", "kwart",
}))
TIME_UNITS = _words("time_units", frozenset({
    "uur", "u", "h", "pm", "am", "oclock", "uurtje", *MONTHS,
    # "3 dec": a date, not option 3
    "jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov", "dec",
}))
COUNT_UNITS = _words("count_units", frozenset({
    "dagen", "days", "weken", "weeks", "pakketten", "pakketjes", "parcels", "packages",
    "dozen", "keer", "times", *RATING_NOUNS,
    # "over 10 min thuis" says they are nearly home, not that they want another slot.
    "min", "minuten", "minutes", "mins", "minuutjes",
}))

# --- the neighbour note --------------------------------------------------------

# Words before the neighbour word that belong to it: "leave it with the", "bij de".
NEIGHBOUR_LEADS = frozenset({
    "bij", "de", "het", "mijn", "onze", "aan", "naar", "with", "the", "my", "our", "to",
    "at", "een", "a", "leave", "it", "mag", "kan", "graag", "afgeven", "geven", "leg",
})
# Words that say nothing when they start or end a note: "mag", "is thuis", "afgeven".
NOTE_EDGE = frozenset({
    "mag", "kan", "het", "is", "zijn", "are", "er", "thuis", "home", "maar", "dan",
    "it", "the", "a", "leave", "with", "to", "ook", "also", "en", "and", "of", "or",
    "wel", "hoor", "die", "dat", "afgeven", "afleveren", "bezorgen", "brengen", "leggen",
    "geven", "achterlaten", "worden", "drop", "give", "deliver", "bring", "can", "ik",
    "ben", "im", "i", "please", "goed", "toch", "afgegeven", "wordt", "gebracht", "bezorgd",
    "fine", "stop", "stoppen", "instead", "hem", "leg",
})

# --- typo tolerance -------------------------------------------------------------

CONTROL_WORDS = OPT_OUT_WORDS | STOP_VERBS | STOP_SINGLE | START_WORDS | HELP_WORDS
# Short control words are one letter from ordinary ones ("stoep", "stappen" ~ "stop",
# "stoppen"); a false opt-out is costly, so only long ones are matched loosely.
TYPO_TARGETS = tuple(sorted(
    {w for w in CONTROL_WORDS if len(w) >= 8} | NEIGHBOUR_WORDS | (RESCHEDULE_WORDS - set(MONTHS))
    | PICKUP_WORDS | PICKUP_WEAK_WORDS | set(RATING_NUMBERS) | {w for w in SLOT_NOUNS | SLOT_MODIFIERS if len(w) >= 4}
    | {w for p in NEIGHBOUR_PHRASES + RESCHEDULE_PHRASES + PICKUP_PHRASES for w in p if len(w) >= 4}
    | {w for w in LETTER_MARKERS if len(w) >= 5}
))
# Every keyword may be typed with letters doubled or dropped doubles: "stopp", "buuren", "tweee".
DOUBLED_TARGETS = CONTROL_WORDS | set(TYPO_TARGETS)
# Real words one letter away from a keyword ("laten" ~ "later"): never "correct" them.
NOT_TYPOS = _words("not_typos", frozenset({
    "laten", "zorgen", "duren", "buiten", "morgens", "stopt", "helpt", "starten",
    "stops", "stopte", "started", "helps", "helper", "buurt", "eens", "even", "eind",
    "many", "once", "quite", "neighbourhood", "neighborhood", "starter", "tree", "late",
    "stoep", "stomp", "strop", "stoop", "stappen", "staren", "staart", "eten",
    # found while growing the corpus: real Dutch, English and French words near a keyword
    "mogen", "moeten", "morgan", "zorg", "buur", "door", "dire", "tire", "tree", "tien", "tijd", "poort",
    "punt", "time", "tine", "dage", "jour", "optie", "later", "lager", "laser", "dagen", "data",
    "noon", "voor", "very", "ever", "over", "oven", "bien", "vient", "voir", "voisinage", "pointe", "maakt",
    "werk", "werken", "work", "thuis", "home", "terug", "back", "weg", "away", "week", "weken", "dagen", "wacht",
}))
KNOWN_WORDS = frozenset(
    set(TYPO_TARGETS) | CONTROL_WORDS | POLITE | FILLER | NEGATIONS | ADDRESS_MARKERS | PLACE_PREPS
    | TIME_PREPS | TIME_UNITS | COUNT_UNITS | SLOT_MODIFIERS | SLOT_NOUNS | NOT_TYPOS
    | NEIGHBOUR_LEADS | NOTE_EDGE | LETTER_LEADS | set(ORDINALS) | LAST_WORDS | QUESTION_WORDS
    | QUESTION_OPENERS | CHANGE_WORDS | DAY_UNITS | HELP_WORDS | set(MONTHS)
)
# A last line made only of these is not a name sign-off ("1\nBuren" keeps "Buren").
KEYWORDS = frozenset(
    set(TYPO_TARGETS) | CONTROL_WORDS | SLOT_MODIFIERS | SLOT_NOUNS | set(ORDINALS)
    | {w for p in NEIGHBOUR_PHRASES + RESCHEDULE_PHRASES + PICKUP_PHRASES for w in p}
)

# --- keyword tables: (intent, words or phrases, strong) -------------------------

SINGLE_KEYWORDS = (
    ("neighbour", NEIGHBOUR_WORDS, True), ("reschedule", RESCHEDULE_WORDS, True),
    ("pickup_point", PICKUP_WORDS, True), ("pickup_point", PICKUP_WEAK_WORDS, False),
)
PHRASE_KEYWORDS = (
    ("neighbour", NEIGHBOUR_PHRASES, True), ("reschedule", RESCHEDULE_PHRASES, True),
    ("pickup_point", PICKUP_PHRASES, True), ("pickup_point", PICKUP_WEAK_PHRASES, False),
)
# The same phrases by their first word, so a reply's words are looked up rather than every phrase tried.
PHRASES_BY_FIRST: dict[str, list[tuple[str, tuple[str, ...], bool]]] = {}
for _intent, _phrases, _strong in PHRASE_KEYWORDS:
    for _phrase in _phrases:
        PHRASES_BY_FIRST.setdefault(_phrase[0], []).append((_intent, _phrase, _strong))
CHANGE_FIRSTS = frozenset(p[0] for p in CHANGE_PHRASES)

# --- what surrounds the answer: signatures, sign-offs, stars -------------------

# Everything from a phone's or mail app's signature on is cut.
SIGNATURE = re.compile(
    r"\b(?:sent|verzonden|verstuurd) (?:from|with|via|vanaf|met|van|op)\b"
    r"|\bget outlook\b|\bdownload outlook\b|\n-- ?\n",
    re.I,
)
# A closing greeting ends the message: "2 groetjes Anna", "1\nGroet, Peter".
CLOSING = re.compile(
    r"(?<![^\s,.!\-–—])(?:met vriendelijke groet|vriendelijke groet|groetjes|groeten|groet"
    r"|gr|grtz|grtjs|grts|mvg|m\.v\.g|kind regards|best regards|regards|cheers|liefs"
    r"|doei|xx+)(?!\w)",
    re.I,
)
SEPARATORS = " \t\n,.!-–—_~"
# A last line like "Anna" or "Jan de Vries" is a name, not an answer.
NAME_LINE = re.compile(
    r"[\-–—~\s]*[A-Z][\w'’.\-]+(?:\s+(?:[A-Z][\w'’.\-]+|van|de|der|den|ter|ten)){0,3}[\s.!]*"
)
# Dotted abbreviations, expanded before tokenising so "a.u.b." is not read as letters A, U, B.
DOTTED = (
    (re.compile(r"\ba\.?u\.?b\b\.?", re.I), "aub"),
    (re.compile(r"\bs\.v\.p\b\.?", re.I), "svp"),
)
# "4/5", "3 van 5", "3 out of 5"; "4 of 5" is Dutch for "4 or 5" and stays ambiguous.
FRACTION = re.compile(
    r"(?<![\d.,/])(\d{1,3})\s*(?:/|van de|van|uit|out of|op|sur)\s*(\d{1,3})(?![\d/])"
)
STARS = re.compile("[\u2b50\u2605\U0001f31f]")



# --- typo tolerance ------------------------------------------------------------

def squeeze(word: str) -> str:
    """Collapse repeated letters: "stoppp" -> "stop", "buuren" -> "buren"."""
    return re.sub(r"(.)\1+", r"\1", word)


# Keys next to each other on QWERTY (Dutch, English) and AZERTY (Belgian French) keyboards.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn")
_COLUMNS = ("qaz", "wsx", "edc", "rfv", "tgb", "yhn", "ujm", "ik", "ol", "aqw", "zsx")
KEY_NEIGHBOURS = frozenset(
    pair for line in _ROWS + _COLUMNS for a, b in zip(line, line[1:]) for pair in ((a, b), (b, a))
)
SQUEEZED = {squeeze(w): w for w in sorted(DOUBLED_TARGETS, key=len, reverse=True)}


@lru_cache(maxsize=8192)
def correct(word: str) -> tuple[str, float]:
    """Return the keyword `word` is a typo of (or `word`) and how sure that reading is, in [0, 1].

    Edits are counted by rapidfuzz (OSA: a swap of two letters is one edit). rapidfuzz weighs
    insertions, deletions and substitutions but not which letters are swapped, so a substitution
    by a key next to the intended one, and a doubled letter, are discounted here to half an edit.
    A word may differ by one edit per five letters (at least one); words under four letters, real
    words in NOT_TYPOS and words with a different first letter are never corrected.
    """
    if len(word) < 4 or word in KNOWN_WORDS or not word.isalpha():
        return word, 1.0
    if squeeze(word) in SQUEEZED:
        return SQUEEZED[squeeze(word)], 0.95
    budget = max(1.0, len(word) / 5)
    scored = []
    for target, _, _ in extract(word, TYPO_TARGETS, scorer=OSA.distance, score_cutoff=int(budget) + 1, limit=8):
        if target[0] != word[0] or abs(len(target) - len(word)) > budget:
            continue
        cost = min(float(OSA.distance(word, target)), _weighted(word, target))
        if cost <= budget:
            scored.append((cost, target))
    scored.sort()
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return word, 1.0  # nothing close, or two keywords equally close: do not invent a meaning
    cost, target = scored[0]
    return target, round(max(0.0, 1 - cost / len(target)), 3)


def _weighted(word: str, target: str) -> float:
    """Levenshtein cost with keyboard-neighbour substitutions and doubled letters at half price."""
    cost = 0.0
    for op in Levenshtein.editops(word, target):
        if op.tag == "replace":
            cost += 0.5 if (word[op.src_pos], target[op.dest_pos]) in KEY_NEIGHBOURS else 1.0
        elif op.tag == "delete":  # a letter too many in `word`
            doubled = op.src_pos > 0 and word[op.src_pos - 1] == word[op.src_pos]
            cost += 0.5 if doubled else 1.0
        else:  # a letter missing from `word`
            doubled = op.dest_pos > 0 and target[op.dest_pos - 1] == target[op.dest_pos]
            cost += 0.5 if doubled else 1.0
    return cost
