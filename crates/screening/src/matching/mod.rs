//! Name matching: normalisation and transliteration, the per-list candidate index, scoring and
//! the `screen` entry point.

mod index;
mod normalize;
mod score;
mod screen;
mod script;

pub use index::ListIndex;
pub(crate) use screen::screen_lists;
pub use screen::{DEFAULT_THRESHOLD, HITS_MAX, Hit, Query, ScreeningResult};
