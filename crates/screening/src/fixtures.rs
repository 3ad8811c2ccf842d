//! The bundled demo lists: a few real listed names in the UN XML, OFAC CSV, EU FSF XML and UK
//! Sanctions List XML formats, written by hand for tests and `kliring demo` (see
//! `fixtures/README.md`). Always imported with the label [`DEMO_LABEL`] so every screening
//! result that used them says so.

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

/// Demo EU FSF list: 3 persons and 1 enterprise (Latin, Arabic and Cyrillic names).
pub fn demo_eu_raw() -> RawList {
    RawList::Eu {
        xml: include_bytes!("../fixtures/demo_eu.xml").to_vec(),
    }
}

/// Demo UK Sanctions List: 2 individuals, 1 entity and 1 ship (Latin, Arabic and Cyrillic
/// names).
pub fn demo_uk_raw() -> RawList {
    RawList::Uk {
        xml: include_bytes!("../fixtures/demo_uk.xml").to_vec(),
    }
}

/// Both demo lists, parsed and labelled [`DEMO_LABEL`].
pub fn demo_lists() -> Result<Vec<ImportedList>, ImportError> {
    [demo_un_raw(), demo_ofac_raw()]
        .iter()
        .map(|raw| import(raw, Some(DEMO_LABEL), &mut no_progress))
        .collect()
}
