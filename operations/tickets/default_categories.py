"""The categories a new installation starts with; staff change them in the admin.

Created after the first `migrate` only while there are no categories at all, so a
cooperative that renamed or removed them never gets them back.
"""

# (slug, Polish name, urgency, response hours, resolution hours, description)
DEFAULT_CATEGORIES = [
    ("hydraulika", "Hydraulika", "urgent", 4, 48, "Przecieki, zapchane odpływy, brak wody"),
    ("awaria-wodna", "Awaria wodna (zalanie)", "emergency", 1, 6, "Pęknięta rura, zalewanie lokalu"),
    ("elektryka", "Elektryka", "urgent", 4, 48, "Oświetlenie, gniazdka, brak prądu w częściach wspólnych"),
    ("dzwigi", "Dźwigi", "urgent", 2, 24, "Winda stoi, zacina się, ktoś utknął: dzwoń pod numer alarmowy"),
    ("ogrzewanie", "Ogrzewanie", "urgent", 4, 24, "Zimne grzejniki, brak ciepłej wody"),
    ("sprzatanie", "Sprzątanie", "routine", 24, 72, "Klatki schodowe, piwnice, śmietniki"),
    ("tereny-zielone", "Tereny zielone", "routine", 48, 240, "Trawniki, drzewa, place zabaw"),
    ("halas", "Hałas i porządek", "routine", 24, 120, "Zakłócanie ciszy, naruszenia regulaminu"),
    ("inne", "Inne", "routine", 24, 168, "Wszystko, co nie pasuje gdzie indziej"),
]
