"""Ordinary names for the screening alert-rate evaluation.

Writes crates/screening/eval/population.jsonl: people and companies from many locales, made
with Faker (PyPI), seeded so the file is reproducible. Run once when the set should change:
    pip install faker==40.63.0 && python3 scripts/gen-population.py
"""
import json, sys
from faker import Faker

LOCALES = [
    ("en_US", "US"), ("en_GB", "GB"), ("en_IN", "IN"), ("hi_IN", "IN"), ("de_DE", "DE"),
    ("fr_FR", "FR"), ("es_ES", "ES"), ("es_MX", "MX"), ("pt_BR", "BR"), ("it_IT", "IT"),
    ("nl_NL", "NL"), ("pl_PL", "PL"), ("ru_RU", "RU"), ("uk_UA", "UA"), ("tr_TR", "TR"),
    ("ar_SA", "SA"), ("ar_EG", "EG"), ("fa_IR", "IR"), ("zh_CN", "CN"), ("zh_TW", "TW"),
    ("ko_KR", "KR"), ("ja_JP", "JP"), ("vi_VN", "VN"), ("th_TH", "TH"), ("id_ID", "ID"),
    ("fil_PH", "PH"), ("bn_BD", "BD"), ("en_PK", "PK"), ("sw", "KE"), ("zu_ZA", "ZA"),
    ("yo_NG", "NG"), ("el_GR", "GR"), ("he_IL", "IL"), ("az_AZ", "AZ"), ("ka_GE", "GE"),
]
PEOPLE = 300
COMPANIES = 60

out = open(sys.argv[1], "w", encoding="utf-8")
for locale, country in LOCALES:
    try:
        fake = Faker(locale)
    except AttributeError:
        continue
    fake.seed_instance(20261205)
    romanize = locale in ("zh_CN", "zh_TW", "ja_JP")
    for i in range(PEOPLE):
        name = fake.name()
        row = {"locale": locale, "country": country, "kind": "individual", "name": name,
               "birth_date": fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat()}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        if romanize and i % 2 == 0 and hasattr(fake, "romanized_name"):
            row = dict(row, name=fake.romanized_name())
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    for _ in range(COMPANIES):
        out.write(json.dumps({"locale": locale, "country": country, "kind": "entity",
                              "name": fake.company()}, ensure_ascii=False) + "\n")
