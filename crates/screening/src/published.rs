//! Whether a UN list looks like the Security Council's published one. The server applies it
//! before putting a list in force and `kliring lists import` before storing one, so both need
//! it without the other: it lives with the lists.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::model::ListVersion;

/// The fewest entries a UN list may have to be taken for the Security Council's published list
/// (it had 1,003 on 2026-02-27 and changes slowly): a smaller file is a test file, a truncated
/// download or a forgery.
pub const UN_ENTRIES_MIN: usize = 500;

/// Why a UN list does not look like the published one; empty when it does. `installed` is the
/// UN list in force, if any: a replacement may not be older than it.
pub fn un_list_problems(candidate: &ListVersion, installed: Option<&ListVersion>) -> Vec<String> {
    let mut problems = Vec::new();
    if candidate.entries < UN_ENTRIES_MIN {
        problems.push(format!(
            "{} entries, fewer than the {UN_ENTRIES_MIN} a published UN list has",
            candidate.entries
        ));
    }
    match generated_at(candidate) {
        None => problems.push("no dateGenerated".to_owned()),
        Some(generated) => {
            if let Some(installed_at) = installed.and_then(generated_at)
                && generated < installed_at
            {
                problems.push(format!(
                    "generated {}, older than the UN list in force ({})",
                    candidate.generated.as_deref().unwrap_or_default(),
                    installed
                        .and_then(|v| v.generated.as_deref())
                        .unwrap_or_default()
                ));
            }
        }
    }
    problems
}

/// A list's `dateGenerated` as a time, if it states a readable one.
pub fn generated_at(version: &ListVersion) -> Option<OffsetDateTime> {
    let text = version.generated.as_deref()?;
    OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| {
            // The UN states a date alone in some exports.
            time::Date::parse(text, format_description!("[year]-[month]-[day]"))
                .map(|d| d.midnight().assume_utc())
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ListSource;

    fn version(entries: usize, generated: Option<&str>) -> ListVersion {
        ListVersion {
            source: ListSource::Un,
            content_hash: "x".into(),
            entries,
            generated: generated.map(str::to_owned),
            label: None,
        }
    }

    #[test]
    fn published_lists_pass_and_small_undated_or_older_ones_do_not() {
        let published = version(1_003, Some("2026-02-27T18:00:03.397Z"));
        assert!(un_list_problems(&published, None).is_empty());
        assert!(un_list_problems(&version(1_003, Some("2026-02-27")), None).is_empty());
        assert_eq!(un_list_problems(&version(5, None), None).len(), 2);
        assert_eq!(
            un_list_problems(&version(1_003, Some("not a date")), None),
            vec!["no dateGenerated"]
        );
        let older = version(1_003, Some("2026-01-01T00:00:00Z"));
        assert_eq!(un_list_problems(&older, Some(&published)).len(), 1);
    }
}
