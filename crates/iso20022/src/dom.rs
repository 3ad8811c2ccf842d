//! A small namespace-aware element tree built with quick-xml. ISO 20022 messages are small
//! (kilobytes), so a tree keeps the mapping code simple; hard limits keep hostile input bounded.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// Largest message accepted, in bytes.
pub const INPUT_BYTES_MAX: usize = 4 * 1024 * 1024;
/// Deepest element nesting accepted.
pub const DEPTH_MAX: usize = 64;
/// Most elements accepted in one message.
pub const ELEMENTS_MAX: usize = 100_000;

/// Why the bytes are not a well-formed XML document kliring will read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("message is {0} bytes; the limit is {INPUT_BYTES_MAX}")]
    TooLarge(usize),
    #[error("message is not UTF-8")]
    NotUtf8,
    #[error("malformed XML at byte {position}: {detail}")]
    Malformed { position: u64, detail: String },
    #[error("elements nest deeper than {DEPTH_MAX}")]
    TooDeep,
    #[error("more than {ELEMENTS_MAX} elements")]
    TooManyElements,
    #[error("DOCTYPE declarations are not accepted")]
    Doctype,
    #[error("no root element")]
    NoRoot,
    #[error("content after the root element")]
    TrailingContent,
    #[error("unknown entity reference &{0};")]
    UnknownEntity(String),
}

/// Index of a node in its [`Dom`].
pub type NodeId = usize;

#[derive(Debug)]
struct Node {
    /// Index into `Dom::namespaces`; `None` for no namespace.
    ns: Option<usize>,
    name: String,
    text: String,
    attrs: Vec<(String, String)>,
    children: Vec<NodeId>,
    parent: Option<NodeId>,
}

/// A parsed document: node 0 is the root element.
#[derive(Debug)]
pub struct Dom {
    nodes: Vec<Node>,
    namespaces: Vec<String>,
}

/// A borrowed view of one element.
#[derive(Clone, Copy)]
pub struct El<'a> {
    dom: &'a Dom,
    id: NodeId,
}

impl Dom {
    /// Parses `bytes` into a tree, enforcing the limits above.
    pub fn parse(bytes: &[u8]) -> Result<Dom, XmlError> {
        if bytes.len() > INPUT_BYTES_MAX {
            return Err(XmlError::TooLarge(bytes.len()));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| XmlError::NotUtf8)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = NsReader::from_str(text);
        let mut dom = Dom {
            nodes: Vec::new(),
            namespaces: Vec::new(),
        };
        let mut stack: Vec<NodeId> = Vec::new();
        let mut done = false;
        loop {
            let position = reader.buffer_position();
            let malformed = |e: quick_xml::Error| XmlError::Malformed {
                position,
                detail: e.to_string(),
            };
            let (resolved, event) = reader.read_resolved_event().map_err(malformed)?;
            let ns = match resolved {
                ResolveResult::Bound(ns) => Some(dom.intern(ns.into_inner())?),
                ResolveResult::Unbound => None,
                ResolveResult::Unknown(prefix) => {
                    return Err(XmlError::Malformed {
                        position,
                        detail: format!(
                            "unbound namespace prefix {}",
                            String::from_utf8_lossy(&prefix)
                        ),
                    });
                }
            };
            match event {
                Event::Start(start) | Event::Empty(start) if done => {
                    let _ = start;
                    return Err(XmlError::TrailingContent);
                }
                Event::Start(start) => {
                    let id = dom.push(ns, &start, stack.last().copied())?;
                    stack.push(id);
                    if stack.len() > DEPTH_MAX {
                        return Err(XmlError::TooDeep);
                    }
                }
                Event::Empty(start) => {
                    dom.push(ns, &start, stack.last().copied())?;
                    if stack.is_empty() {
                        done = true;
                    }
                }
                Event::End(_) => {
                    stack.pop();
                    if stack.is_empty() {
                        done = true;
                    }
                }
                Event::Text(t) => {
                    let content = t.xml10_content().map_err(|_| XmlError::NotUtf8)?;
                    dom.append_text(&stack, &content)?;
                }
                Event::CData(c) => {
                    let content = c.xml10_content().map_err(|_| XmlError::NotUtf8)?;
                    dom.append_text(&stack, &content)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = resolve_entity(&r)?;
                    dom.append_text(&stack, resolved.encode_utf8(&mut [0; 4]))?;
                }
                Event::DocType(_) => return Err(XmlError::Doctype),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if !stack.is_empty() {
            return Err(XmlError::Malformed {
                position: reader.buffer_position(),
                detail: "unexpected end of input inside an element".into(),
            });
        }
        if dom.nodes.is_empty() {
            return Err(XmlError::NoRoot);
        }
        Ok(dom)
    }

    fn intern(&mut self, uri: &[u8]) -> Result<usize, XmlError> {
        let uri = std::str::from_utf8(uri).map_err(|_| XmlError::NotUtf8)?;
        Ok(match self.namespaces.iter().position(|n| n == uri) {
            Some(i) => i,
            None => {
                self.namespaces.push(uri.to_owned());
                self.namespaces.len() - 1
            }
        })
    }

    fn push(
        &mut self,
        ns: Option<usize>,
        start: &BytesStart<'_>,
        parent: Option<NodeId>,
    ) -> Result<NodeId, XmlError> {
        if self.nodes.len() >= ELEMENTS_MAX {
            return Err(XmlError::TooManyElements);
        }
        let name = std::str::from_utf8(start.local_name().into_inner())
            .map_err(|_| XmlError::NotUtf8)?
            .to_owned();
        let mut attrs = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| XmlError::Malformed {
                position: 0,
                detail: e.to_string(),
            })?;
            let key = attr.key;
            // Namespace declarations and prefixed attributes (xsi:...) carry no business data.
            if key.as_namespace_binding().is_some() || key.prefix().is_some() {
                continue;
            }
            let key = std::str::from_utf8(key.local_name().into_inner())
                .map_err(|_| XmlError::NotUtf8)?
                .to_owned();
            let value = attr.unescape_value().map_err(|e| XmlError::Malformed {
                position: 0,
                detail: e.to_string(),
            })?;
            attrs.push((key, value.into_owned()));
        }
        let id = self.nodes.len();
        self.nodes.push(Node {
            ns,
            name,
            text: String::new(),
            attrs,
            children: Vec::new(),
            parent,
        });
        if let Some(p) = parent {
            self.nodes[p].children.push(id);
        }
        Ok(id)
    }

    fn append_text(&mut self, stack: &[NodeId], text: &str) -> Result<(), XmlError> {
        match stack.last() {
            Some(&id) => {
                self.nodes[id].text.push_str(text);
                Ok(())
            }
            None if text.trim().is_empty() => Ok(()),
            None => Err(XmlError::TrailingContent),
        }
    }

    /// The root element.
    pub fn root(&self) -> El<'_> {
        El { dom: self, id: 0 }
    }
}

fn resolve_entity(r: &quick_xml::events::BytesRef<'_>) -> Result<char, XmlError> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err(XmlError::UnknownEntity(
                String::from_utf8_lossy(r.as_ref()).into_owned(),
            )),
        };
    }
    match r.as_ref() {
        b"amp" => Ok('&'),
        b"lt" => Ok('<'),
        b"gt" => Ok('>'),
        b"quot" => Ok('"'),
        b"apos" => Ok('\''),
        other => Err(XmlError::UnknownEntity(
            String::from_utf8_lossy(other).into_owned(),
        )),
    }
}

impl<'a> El<'a> {
    /// Local element name, without prefix.
    pub fn name(&self) -> &'a str {
        &self.node().name
    }

    /// Namespace URI, if any.
    pub fn ns(&self) -> Option<&'a str> {
        self.node().ns.map(|i| self.dom.namespaces[i].as_str())
    }

    /// Raw text content of this element (excluding children).
    pub fn text(&self) -> &'a str {
        &self.node().text
    }

    /// The value of an unprefixed attribute.
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.node()
            .attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the element has child elements.
    pub fn has_children(&self) -> bool {
        !self.node().children.is_empty()
    }

    /// Child elements in document order.
    pub fn children(self) -> impl Iterator<Item = El<'a>> + 'a {
        let dom = self.dom;
        self.node().children.iter().map(move |&id| El { dom, id })
    }

    /// Child elements named `name`.
    pub fn children_named(self, name: &'a str) -> impl Iterator<Item = El<'a>> + 'a {
        self.children().filter(move |c| c.name() == name)
    }

    /// First child element named `name`.
    pub fn child(&self, name: &str) -> Option<El<'a>> {
        self.children().find(|c| c.name() == name)
    }

    /// Follows a path of child names, e.g. `["GrpHdr", "MsgId"]`.
    pub fn at(&self, path: &[&str]) -> Option<El<'a>> {
        path.iter().try_fold(*self, |el, name| el.child(name))
    }

    /// Text of the element at `path`, if present.
    pub fn text_at(&self, path: &[&str]) -> Option<&'a str> {
        self.at(path).map(|e| e.text())
    }

    /// All elements of this subtree (self first), depth-first in document order.
    pub fn descendants(&self) -> Vec<El<'a>> {
        let mut out = Vec::new();
        let mut stack = vec![self.id];
        while let Some(id) = stack.pop() {
            out.push(El { dom: self.dom, id });
            stack.extend(self.dom.nodes[id].children.iter().rev());
        }
        out
    }

    /// Slash-separated path of local names from the root, e.g. `/Document/FIToFICstmrCdtTrf`.
    pub fn path(&self) -> String {
        let mut names = Vec::new();
        let mut cur = Some(self.id);
        while let Some(id) = cur {
            names.push(self.dom.nodes[id].name.as_str());
            cur = self.dom.nodes[id].parent;
        }
        names.reverse();
        let mut out = String::new();
        for n in names {
            out.push('/');
            out.push_str(n);
        }
        out
    }

    fn node(&self) -> &'a Node {
        &self.dom.nodes[self.id]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_resolve_regardless_of_prefix() {
        let xml = br#"<e:Envelope xmlns:e="urn:x"><p:Doc xmlns:p="urn:y"><p:A>1 &amp; 2</p:A></p:Doc></e:Envelope>"#;
        let dom = Dom::parse(xml).expect("parses");
        let root = dom.root();
        assert_eq!(root.name(), "Envelope");
        assert_eq!(root.ns(), Some("urn:x"));
        let a = root.at(&["Doc", "A"]).expect("A");
        assert_eq!(a.ns(), Some("urn:y"));
        assert_eq!(a.text(), "1 & 2");
        assert_eq!(a.path(), "/Envelope/Doc/A");
    }

    #[test]
    fn malformed_input_is_an_error() {
        let cases: [&[u8]; 7] = [
            b"",
            b"<a>",
            b"<a></b>",
            b"<a/><b/>",
            b"<!DOCTYPE a><a/>",
            b"<a>&foo;</a>",
            b"<p:a/>",
        ];
        for case in cases {
            assert!(
                Dom::parse(case).is_err(),
                "{}",
                String::from_utf8_lossy(case)
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(DEPTH_MAX + 1),
            "</a>".repeat(DEPTH_MAX + 1)
        );
        assert_eq!(Dom::parse(deep.as_bytes()).err(), Some(XmlError::TooDeep));
    }
}
