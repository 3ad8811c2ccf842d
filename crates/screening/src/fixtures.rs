//! The bundled demo lists: a few real listed names in the UN XML and OFAC CSV formats, written
//! by hand for tests and `kliring demo`. Always imported with the label [`DEMO_LABEL`] so every
//! screening result that used them says so.

use crate::error::ImportError;
use crate::import::{RawList, import, no_progress};
use crate::model::ImportedList;

/// Label recorded in the version of every demo list.
pub const DEMO_LABEL: &str = "demo data";

/// Demo UN list: 4 individuals and 1 entity (Latin, Cyrillic and Arabic names).
pub fn demo_un_raw() -> RawList {
    RawList::Un {
        xml: include_bytes!("../fixtures/demo_un.xml").to_vec(),
    }
}

/// Demo OFAC SDN set: 4 sdn rows, 2 aliases, 2 addresses.
pub fn demo_ofac_raw() -> RawList {
    RawList::OfacSdn {
        sdn: include_bytes!("../fixtures/demo_sdn.csv").to_vec(),
        alt: Some(include_bytes!("../fixtures/demo_alt.csv").to_vec()),
        add: Some(include_bytes!("../fixtures/demo_add.csv").to_vec()),
    }
}

/// Both demo lists, parsed and labelled [`DEMO_LABEL`].
pub fn demo_lists() -> Result<Vec<ImportedList>, ImportError> {
    [demo_un_raw(), demo_ofac_raw()]
        .iter()
        .map(|raw| import(raw, Some(DEMO_LABEL), &mut no_progress))
        .collect()
}
