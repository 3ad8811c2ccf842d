//! Who an officer is, for four eyes: display names that look alike are one officer.
//!
//! The hub compares credentials (the `*HoldAs` actions) and exact names; the edge adds what
//! needs Unicode tables, which the deterministic hub keeps out of replay: a name that differs
//! from another officer's only in spacing, case, compatibility forms or confusable letters
//! (Cyrillic "О" for Latin "O", UTS #39 skeletons via `unicode-security`) is refused when the
//! credential is issued, and a hold decision by a look-alike of its reviewer is refused too
//! (covering look-alikes registered before this rule).

use unicode_normalization::UnicodeNormalization;

/// The identity of an officer's display name: NFKC, whitespace collapsed, lowercase, then the
/// confusable skeleton (lowercased again: skeletons may map to capitals).
pub fn identity(name: &str) -> String {
    let spaced = name
        .nfkc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // Skeleton before lowercasing too: some look-alikes (Cherokee "Ꮐ" for G) lowercase to letters
    // the confusables data does not map, so lowercasing first would keep them apart.
    let once = unicode_security::skeleton(&spaced)
        .collect::<String>()
        .to_lowercase();
    unicode_security::skeleton(&once)
        .collect::<String>()
        .to_lowercase()
}

/// Whether two names are different strings for the same officer.
pub fn look_alike(a: &str, b: &str) -> bool {
    a != b && identity(a) == identity(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_case_and_confusables_are_one_officer() {
        let one = "Officer One";
        for alike in [
            "Officer One ",
            " Officer  One",
            "officer one",
            "Оfficer One", // Cyrillic capital O
            "Officer Оne", // Cyrillic capital O in the second word
            "Ofﬁcer One",  // the "fi" ligature
            "Officer\u{00a0}One",
        ] {
            assert!(look_alike(one, alike), "{alike:?}");
        }
        assert!(!look_alike(one, one));
        // Cherokee "Ꮐ" passes for G (a red-team exercise had the operator issue it).
        assert!(look_alike("Grace Wanjiru", "\u{13C0}race Wanjiru"));
        for other in ["Officer Two", "Officer Onе Two", "Officer"] {
            assert!(!look_alike(one, other), "{other:?}");
        }
    }
}
