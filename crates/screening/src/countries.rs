//! Country comparison for secondary data. Lists write countries as names in several styles
//! ("Korea, North", "Democratic People's Republic of Korea"); payments carry ISO 3166 alpha-2
//! codes. Both sides are mapped to a code where the table knows the country, else compared as
//! normalised names. The table covers every country named in the UN and OFAC files plus common
//! payment corridors; an unknown country simply falls back to name equality.

/// ISO 3166 alpha-2 code → names and spellings used by lists (normalised: lower-case ASCII,
/// punctuation as spaces).
const COUNTRIES: &[(&str, &[&str])] = &[
    ("AF", &["afghanistan"]),
    ("AL", &["albania"]),
    ("DZ", &["algeria"]),
    ("AO", &["angola"]),
    ("AR", &["argentina"]),
    ("AM", &["armenia"]),
    ("AU", &["australia"]),
    ("AT", &["austria"]),
    ("AZ", &["azerbaijan"]),
    ("BH", &["bahrain"]),
    ("BD", &["bangladesh"]),
    ("BB", &["barbados"]),
    ("BY", &["belarus"]),
    ("BE", &["belgium"]),
    ("BJ", &["benin"]),
    ("BO", &["bolivia"]),
    ("BA", &["bosnia and herzegovina"]),
    ("BW", &["botswana"]),
    ("BR", &["brazil"]),
    ("VG", &["british virgin islands"]),
    ("BG", &["bulgaria"]),
    ("BF", &["burkina faso"]),
    ("MM", &["burma", "myanmar"]),
    ("BI", &["burundi"]),
    ("CV", &["cabo verde", "cape verde"]),
    ("KH", &["cambodia"]),
    ("CM", &["cameroon"]),
    ("CA", &["canada"]),
    ("CF", &["central african republic"]),
    ("TD", &["chad"]),
    ("CL", &["chile"]),
    ("CN", &["china"]),
    (
        "HK",
        &["hong kong", "china hong kong special administrative region"],
    ),
    ("CO", &["colombia"]),
    ("KM", &["comoros"]),
    (
        "CD",
        &[
            "democratic republic of the congo",
            "congo democratic republic of the",
            "drc",
        ],
    ),
    ("CG", &["congo", "republic of the congo"]),
    ("CR", &["costa rica"]),
    ("CI", &["cote d ivoire", "ivory coast"]),
    ("CU", &["cuba"]),
    ("CY", &["cyprus"]),
    ("CZ", &["czechia", "czech republic"]),
    (
        "KP",
        &[
            "democratic people s republic of korea",
            "korea north",
            "north korea",
            "dprk",
        ],
    ),
    ("KR", &["republic of korea", "korea south", "south korea"]),
    ("DK", &["denmark"]),
    ("DJ", &["djibouti"]),
    ("DO", &["dominican republic"]),
    ("EC", &["ecuador"]),
    ("EG", &["egypt"]),
    ("SV", &["el salvador"]),
    ("GQ", &["equatorial guinea"]),
    ("ER", &["eritrea"]),
    ("ET", &["ethiopia"]),
    ("FI", &["finland"]),
    ("FR", &["france"]),
    ("GA", &["gabon"]),
    ("GM", &["the gambia", "gambia"]),
    ("GE", &["georgia"]),
    ("DE", &["germany"]),
    ("GH", &["ghana"]),
    ("GR", &["greece"]),
    ("GT", &["guatemala"]),
    ("GN", &["guinea"]),
    ("GW", &["guinea bissau"]),
    ("HT", &["haiti"]),
    ("HN", &["honduras"]),
    ("IN", &["india"]),
    ("ID", &["indonesia"]),
    (
        "IR",
        &[
            "iran",
            "iran islamic republic of",
            "islamic republic of iran",
        ],
    ),
    ("IQ", &["iraq"]),
    ("IE", &["ireland"]),
    ("IL", &["israel"]),
    ("IT", &["italy"]),
    ("JP", &["japan"]),
    ("JO", &["jordan"]),
    ("KZ", &["kazakhstan"]),
    ("KE", &["kenya"]),
    ("XK", &["kosovo"]),
    ("KW", &["kuwait"]),
    ("KG", &["kyrgyzstan"]),
    ("LA", &["laos", "lao people s democratic republic"]),
    ("LV", &["latvia"]),
    ("LB", &["lebanon"]),
    ("LR", &["liberia"]),
    ("LY", &["libya"]),
    ("LI", &["liechtenstein"]),
    ("LT", &["lithuania"]),
    ("LU", &["luxembourg"]),
    (
        "MK",
        &[
            "north macedonia",
            "macedonia the former yugoslav republic of",
            "macedonia",
        ],
    ),
    ("MY", &["malaysia"]),
    ("MV", &["maldives"]),
    ("ML", &["mali"]),
    ("MT", &["malta"]),
    ("MH", &["marshall islands"]),
    ("MR", &["mauritania"]),
    ("MX", &["mexico"]),
    ("MD", &["moldova", "republic of moldova"]),
    ("MA", &["morocco"]),
    ("MZ", &["mozambique"]),
    ("NL", &["netherlands"]),
    ("NZ", &["new zealand"]),
    ("NI", &["nicaragua"]),
    ("NE", &["niger"]),
    ("NG", &["nigeria"]),
    ("NO", &["norway"]),
    ("OM", &["oman"]),
    ("PK", &["pakistan"]),
    (
        "PS",
        &[
            "state of palestine",
            "palestine",
            "palestinian",
            "possibly palestinian",
        ],
    ),
    ("PA", &["panama"]),
    ("PY", &["paraguay"]),
    ("PE", &["peru"]),
    ("PH", &["philippines"]),
    ("PL", &["poland"]),
    ("PT", &["portugal"]),
    ("QA", &["qatar"]),
    ("RO", &["romania"]),
    ("RU", &["russia", "russian federation"]),
    ("RW", &["rwanda"]),
    ("KN", &["saint kitts and nevis"]),
    ("SA", &["saudi arabia"]),
    ("SN", &["senegal"]),
    ("RS", &["serbia"]),
    ("SL", &["sierra leone"]),
    ("SG", &["singapore"]),
    ("SK", &["slovakia"]),
    ("SI", &["slovenia"]),
    ("SO", &["somalia"]),
    ("ZA", &["south africa"]),
    ("SS", &["south sudan"]),
    ("ES", &["spain"]),
    ("LK", &["sri lanka"]),
    ("SD", &["sudan"]),
    ("SE", &["sweden"]),
    ("CH", &["switzerland"]),
    ("SY", &["syria", "syrian arab republic"]),
    ("TW", &["taiwan"]),
    ("TJ", &["tajikistan"]),
    ("TZ", &["tanzania", "united republic of tanzania"]),
    ("TH", &["thailand"]),
    ("TT", &["trinidad and tobago"]),
    ("TN", &["tunisia"]),
    ("TR", &["turkey", "turkiye"]),
    ("TM", &["turkmenistan"]),
    ("UG", &["uganda"]),
    ("UA", &["ukraine"]),
    ("AE", &["united arab emirates", "uae"]),
    (
        "GB",
        &[
            "united kingdom",
            "united kingdom of great britain and northern ireland",
            "uk",
        ],
    ),
    ("US", &["united states", "united states of america", "usa"]),
    ("UY", &["uruguay"]),
    ("UZ", &["uzbekistan"]),
    ("VE", &["venezuela", "venezuela bolivarian republic of"]),
    ("VN", &["viet nam", "vietnam"]),
    ("YE", &["yemen"]),
    ("ZM", &["zambia"]),
    ("ZW", &["zimbabwe"]),
];

fn normalise(country: &str) -> String {
    deunicode::deunicode(country)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ISO alpha-2 code for a code or a known name.
fn code(country: &str) -> Option<&'static str> {
    let trimmed = country.trim();
    if trimmed.len() == 2 {
        let upper = trimmed.to_ascii_uppercase();
        if let Some((code, _)) = COUNTRIES.iter().find(|(c, _)| *c == upper) {
            return Some(code);
        }
    }
    let name = normalise(trimmed);
    COUNTRIES
        .iter()
        .find(|(_, names)| names.contains(&name.as_str()))
        .map(|(code, _)| *code)
}

/// True when `query` names the same country as any of `listed`.
pub(crate) fn any_matches(query: &str, listed: &[String]) -> bool {
    let query_code = code(query);
    let query_name = normalise(query);
    listed.iter().any(|l| match (query_code, code(l)) {
        (Some(a), Some(b)) => a == b,
        _ => !query_name.is_empty() && normalise(l) == query_name,
    })
}

#[cfg(test)]
mod tests {
    use super::any_matches;

    #[test]
    fn codes_and_name_styles_agree() {
        let listed = vec!["Democratic People's Republic of Korea".to_string()];
        assert!(any_matches("KP", &listed));
        assert!(any_matches("Korea, North", &listed));
        assert!(!any_matches("KR", &listed));
        assert!(any_matches("tr", &["Türkiye".to_string()]));
        assert!(any_matches("Atlantis", &["ATLANTIS".to_string()]));
        assert!(!any_matches("", &["".to_string()]));
    }
}
