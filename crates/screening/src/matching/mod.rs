//! Name matching: canonical form and readings (Han characters read by language), normalisation and transliteration, the per-list
//! candidate index, scoring and the `screen` entry points.

mod canon;
mod han;
mod index;
mod normalize;
mod phrase;
mod score;
mod screen;
mod script;

pub use canon::{Suspicion, SuspicionCode};
pub use index::ListIndex;
pub(crate) use phrase::{PhraseIndex, add_written_names};
pub(crate) use score::Mode;
pub(crate) use screen::screen_lists;
pub use screen::{DEFAULT_THRESHOLD, HITS_MAX, Hit, Query, ScreeningResult};

/// The plain canonical form of a string (NFKC, invisible characters removed, mixed-script words
/// folded to Latin), as the matcher reads it before transliteration.
pub fn canonical_form(text: &str) -> String {
    canon::canonical_form(text)
}
