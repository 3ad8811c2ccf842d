//! A small streaming XML scanner shared by the EU and UK importers: quick-xml's namespace-aware
//! reader reduced to element starts (local name, attributes) and ends (collected text), with
//! every failure mapped to an [`ImportError`] that names the byte offset and the element.
//!
//! The scanner owns the rules both formats share: well-formedness and matching end tags,
//! bounded nesting and text size, entity references resolved, a file that ends inside an element
//! reported as truncated, and (optionally) every element required to be in one namespace.

use std::io::BufReader;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::progress::ProgressReader;
use crate::error::ImportError;

/// Element nesting deeper than this is not a list format; refusing it bounds memory.
const DEPTH_MAX: usize = 16;
/// Text or attribute content longer than this in one element is not a list format.
const TEXT_BYTES_MAX: usize = 1 << 20;

/// What the scanner reports.
pub(super) enum Node {
    /// An element opened (an empty element reports `Start` and then `End`). `depth` counts the
    /// element itself: the root is at depth 1.
    Start {
        name: String,
        attributes: Vec<(String, String)>,
        depth: usize,
        position: u64,
    },
    /// An element closed; `text` is its own trimmed text content, `parent` the enclosing
    /// element ("" for the root) and `depth` the depth the element had.
    End {
        name: String,
        parent: String,
        text: String,
        depth: usize,
        position: u64,
    },
    /// The document ended with every element closed.
    Eof,
}

pub(super) struct Scanner<'a, 'p> {
    reader: NsReader<BufReader<ProgressReader<'a, 'p>>>,
    namespace: Option<&'static str>,
    stack: Vec<String>,
    text: String,
    buf: Vec<u8>,
    /// The `End` owed for an empty element reported as `Start`.
    pending_end: Option<(String, u64)>,
}

impl<'a, 'p> Scanner<'a, 'p> {
    /// Scans `xml`, reporting progress; with `namespace`, every element must be bound to it.
    pub(super) fn new(
        xml: &'a [u8],
        namespace: Option<&'static str>,
        progress: &'p mut dyn FnMut(u64, u64),
    ) -> Self {
        let total = u64::try_from(xml.len()).unwrap_or(u64::MAX);
        let source = ProgressReader::new(xml, 0, total, progress);
        let mut reader = NsReader::from_reader(BufReader::with_capacity(64 * 1024, source));
        reader.config_mut().check_end_names = true;
        Self {
            reader,
            namespace,
            stack: Vec::new(),
            text: String::new(),
            buf: Vec::new(),
            pending_end: None,
        }
    }

    /// The innermost open element, or "document" at top level.
    fn current(&self) -> String {
        self.stack
            .last()
            .cloned()
            .unwrap_or_else(|| "document".into())
    }

    /// A structure error at `position` in `element`.
    pub(super) fn structure(
        position: u64,
        element: &str,
        message: impl Into<String>,
    ) -> ImportError {
        ImportError::XmlStructure {
            position,
            element: element.to_owned(),
            message: message.into(),
        }
    }

    /// The next start, end or end of document.
    pub(super) fn next(&mut self) -> Result<Node, ImportError> {
        if let Some((name, position)) = self.pending_end.take() {
            return Ok(self.close(name, position));
        }
        loop {
            let position = self.reader.buffer_position();
            self.buf.clear();
            let (resolved, event) = match self.reader.read_resolved_event_into(&mut self.buf) {
                Ok((resolved, event)) => (namespace_of(&resolved), event.into_owned()),
                Err(e) => {
                    return Err(ImportError::XmlSyntax {
                        position: self.reader.error_position(),
                        element: self.current(),
                        message: e.to_string(),
                    });
                }
            };
            match event {
                Event::Start(start) => return self.open(&start, resolved, position, false),
                Event::Empty(start) => return self.open(&start, resolved, position, true),
                Event::End(_) => {
                    let Some(name) = self.stack.pop() else {
                        return Err(Self::structure(
                            position,
                            "document",
                            "closing tag without opening tag",
                        ));
                    };
                    return Ok(self.close_popped(name, position));
                }
                Event::Text(t) => {
                    let decoded = t.xml_content().map_err(|e| ImportError::XmlSyntax {
                        position,
                        element: self.current(),
                        message: e.to_string(),
                    })?;
                    self.append(&decoded, position)?;
                }
                Event::CData(t) => {
                    let decoded = String::from_utf8_lossy(&t).into_owned();
                    self.append(&decoded, position)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => {
                            let name = String::from_utf8_lossy(&r).into_owned();
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| {
                                    Self::structure(position, &name, "unknown entity reference")
                                })?
                                .to_owned()
                        }
                    };
                    self.append(&resolved, position)?;
                }
                Event::Eof => {
                    if let Some(open) = self.stack.last() {
                        return Err(ImportError::XmlTruncated {
                            position: self.reader.buffer_position(),
                            element: open.clone(),
                        });
                    }
                    return Ok(Node::Eof);
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    fn open(
        &mut self,
        start: &BytesStart<'_>,
        namespace: Option<Vec<u8>>,
        position: u64,
        empty: bool,
    ) -> Result<Node, ImportError> {
        let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        if self.stack.len() >= DEPTH_MAX {
            return Err(Self::structure(
                position,
                &name,
                "elements nested too deeply",
            ));
        }
        if let Some(expected) = self.namespace
            && namespace.as_deref() != Some(expected.as_bytes())
        {
            let found = namespace.map_or_else(
                || "no namespace".to_owned(),
                |ns| format!("namespace {}", String::from_utf8_lossy(&ns)),
            );
            return Err(Self::structure(
                position,
                &name,
                format!("element in {found}, expected namespace {expected}"),
            ));
        }
        let mut attributes = Vec::new();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| ImportError::XmlSyntax {
                position,
                element: name.clone(),
                message: e.to_string(),
            })?;
            let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
            let value = attribute
                .unescape_value()
                .map_err(|e| ImportError::XmlSyntax {
                    position,
                    element: name.clone(),
                    message: e.to_string(),
                })?;
            if value.len() > TEXT_BYTES_MAX {
                return Err(Self::structure(
                    position,
                    &name,
                    format!("attribute {key} longer than {TEXT_BYTES_MAX} bytes"),
                ));
            }
            attributes.push((key, value.trim().to_owned()));
        }
        self.text.clear();
        self.stack.push(name.clone());
        let depth = self.stack.len();
        if empty {
            self.pending_end = Some((name.clone(), position));
        }
        Ok(Node::Start {
            name,
            attributes,
            depth,
            position,
        })
    }

    /// Ends the empty element at the top of the stack.
    fn close(&mut self, name: String, position: u64) -> Node {
        self.stack.pop();
        self.close_popped(name, position)
    }

    fn close_popped(&mut self, name: String, position: u64) -> Node {
        let text = self.text.trim().to_owned();
        self.text.clear();
        Node::End {
            name,
            parent: self.stack.last().cloned().unwrap_or_default(),
            text,
            depth: self.stack.len().saturating_add(1),
            position,
        }
    }

    fn append(&mut self, piece: &str, position: u64) -> Result<(), ImportError> {
        if self.text.len().saturating_add(piece.len()) > TEXT_BYTES_MAX {
            return Err(Self::structure(
                position,
                &self.current(),
                format!("text longer than {TEXT_BYTES_MAX} bytes"),
            ));
        }
        self.text.push_str(piece);
        Ok(())
    }
}

fn namespace_of(resolved: &ResolveResult<'_>) -> Option<Vec<u8>> {
    match resolved {
        ResolveResult::Bound(ns) => Some(ns.as_ref().to_vec()),
        ResolveResult::Unbound | ResolveResult::Unknown(_) => None,
    }
}

/// True when `name` contains letters outside the Latin script blocks (Cyrillic, Arabic, Han,
/// Hangul, ...): such a name is the publisher's original-script rendering, not a romanisation.
pub(super) fn is_non_latin(name: &str) -> bool {
    name.chars()
        .any(|c| c.is_alphabetic() && !matches!(u32::from(c), 0..=0x024F | 0x1E00..=0x1EFF))
}
