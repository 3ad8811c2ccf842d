//! A small namespace-aware element tree built with quick-xml. ISO 20022 messages are small
//! (kilobytes), so a tree keeps the mapping code simple; hard limits keep hostile input bounded.
//! Names, text and attribute values borrow from the input; namespace scopes are tracked here in
//! the same pass that reads attributes (cheaper than a second pass in quick-xml's `NsReader`).

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;

/// Largest message accepted, in bytes.
pub const INPUT_BYTES_MAX: usize = 4 * 1024 * 1024;
/// Deepest element nesting accepted.
pub const DEPTH_MAX: usize = 64;
/// Most elements accepted in one message.
pub const ELEMENTS_MAX: usize = 100_000;
/// Most attributes (namespace declarations included) on one element. ISO 20022 elements carry
/// at most a handful (`Ccy`, `xmlns`, `xsi:schemaLocation`); quick-xml checks each attribute
/// against the ones before it for duplicates, so without a bound one element with n attributes
/// costs n² comparisons (120,000 of them took seconds of CPU).
pub const ATTRIBUTES_MAX: usize = 32;
/// Most bytes of character data in one element. ISO 20022 text fields are at most a few
/// thousand characters; the bound keeps concatenated text and entity-split pieces linear.
pub const TEXT_BYTES_MAX: usize = 64 * 1024;

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
    #[error("an element has more than {ATTRIBUTES_MAX} attributes")]
    TooManyAttributes,
    #[error("an element has more than {TEXT_BYTES_MAX} bytes of text")]
    TextTooLarge,
    #[error("DOCTYPE declarations are not accepted")]
    Doctype,
    #[error("no root element")]
    NoRoot,
    #[error("content after the root element")]
    TrailingContent,
    #[error("unknown entity reference &{0};")]
    UnknownEntity(String),
}

impl XmlError {
    /// Whether the input broke one of the size limits above (rather than XML itself): the
    /// reader stops at the first excess, so such input costs time linear in the limit.
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            Self::TooLarge(_)
                | Self::TooDeep
                | Self::TooManyElements
                | Self::TooManyAttributes
                | Self::TextTooLarge
        )
    }
}

/// Index of a node in its [`Dom`].
pub type NodeId = usize;

/// "No node" in the compact link fields.
const NONE: u32 = u32::MAX;
/// "No namespace".
const NO_NS: u16 = u16::MAX;
/// Most distinct namespace URIs in one message.
const NAMESPACES_MAX: usize = 64;

#[derive(Debug)]
struct Node<'a> {
    ns: u16,
    name: &'a str,
    text: Cow<'a, str>,
    /// Range of this element's unprefixed attributes in `Dom::attrs`.
    attrs_start: u32,
    attrs_len: u32,
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
    /// One past the last descendant: nodes are stored in document (pre-)order, so a subtree
    /// is the contiguous range `id..end`.
    end: u32,
}

/// A parsed document borrowing from its input: node 0 is the root element.
#[derive(Debug)]
pub struct Dom<'a> {
    nodes: Vec<Node<'a>>,
    attrs: Vec<(&'a str, Cow<'a, str>)>,
    namespaces: Vec<Cow<'a, str>>,
}

/// A borrowed view of one element.
#[derive(Clone, Copy)]
pub struct El<'a> {
    dom: &'a Dom<'a>,
    id: NodeId,
}

/// An in-scope namespace declaration: prefix ("" for the default) → namespace index, declared
/// on the element at `depth`.
struct Binding<'a> {
    prefix: &'a str,
    ns: u16,
    depth: usize,
}

fn link(id: u32) -> Option<NodeId> {
    (id != NONE).then_some(id as NodeId)
}

impl<'a> Dom<'a> {
    /// Parses `bytes` into a tree, enforcing the limits above.
    pub fn parse(bytes: &'a [u8]) -> Result<Dom<'a>, XmlError> {
        if bytes.len() > INPUT_BYTES_MAX {
            return Err(XmlError::TooLarge(bytes.len()));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| XmlError::NotUtf8)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = Reader::from_str(text);
        let mut dom = Dom {
            nodes: Vec::with_capacity(128),
            attrs: Vec::new(),
            namespaces: Vec::new(),
        };
        let mut stack: Vec<u32> = Vec::with_capacity(16);
        let mut bindings: Vec<Binding<'a>> = Vec::new();
        let mut done = false;
        loop {
            let position = reader.buffer_position();
            let event = reader.read_event().map_err(|e| XmlError::Malformed {
                position,
                detail: e.to_string(),
            })?;
            match event {
                Event::Start(_) | Event::Empty(_) if done => {
                    return Err(XmlError::TrailingContent);
                }
                Event::Start(start) => {
                    dom.push(text, &start, &stack, &mut bindings)?;
                    stack.push(
                        u32::try_from(dom.nodes.len() - 1)
                            .map_err(|_| XmlError::TooManyElements)?,
                    );
                    if stack.len() > DEPTH_MAX {
                        return Err(XmlError::TooDeep);
                    }
                }
                Event::Empty(start) => {
                    dom.push(text, &start, &stack, &mut bindings)?;
                    // The element's own declarations go out of scope at once.
                    bindings.retain(|b| b.depth <= stack.len());
                    if stack.is_empty() {
                        done = true;
                    }
                }
                Event::End(_) => {
                    if let Some(id) = stack.pop() {
                        let end = u32::try_from(dom.nodes.len())
                            .map_err(|_| XmlError::TooManyElements)?;
                        dom.nodes[id as usize].end = end;
                    }
                    bindings.retain(|b| b.depth <= stack.len());
                    if stack.is_empty() {
                        done = true;
                    }
                }
                Event::Text(t) => {
                    // Indentation between elements is the common case: skip it cheaply.
                    let blank = t.iter().all(u8::is_ascii_whitespace);
                    if !(blank && dom.open_text_is_empty(&stack)) {
                        let content = t.xml10_content().map_err(|_| XmlError::NotUtf8)?;
                        dom.append_text(&stack, content)?;
                    }
                }
                Event::CData(c) => {
                    let content = c.xml10_content().map_err(|_| XmlError::NotUtf8)?;
                    dom.append_text(&stack, content)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = resolve_entity(&r)?;
                    dom.append_text(&stack, Cow::Owned(resolved.to_string()))?;
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

    fn intern(&mut self, uri: Cow<'a, str>) -> Result<u16, XmlError> {
        let index = match self.namespaces.iter().rposition(|n| *n == uri) {
            Some(i) => i,
            None => {
                if self.namespaces.len() >= NAMESPACES_MAX {
                    return Err(XmlError::Malformed {
                        position: 0,
                        detail: format!("more than {NAMESPACES_MAX} namespaces"),
                    });
                }
                self.namespaces.push(uri);
                self.namespaces.len() - 1
            }
        };
        u16::try_from(index).map_err(|_| XmlError::TooManyElements)
    }

    /// Adds an element: reads its attributes once, recording namespace declarations in
    /// `bindings` and keeping unprefixed attributes, then resolves the element's prefix.
    fn push(
        &mut self,
        input: &'a str,
        start: &BytesStart<'_>,
        stack: &[u32],
        bindings: &mut Vec<Binding<'a>>,
    ) -> Result<(), XmlError> {
        if self.nodes.len() >= ELEMENTS_MAX {
            return Err(XmlError::TooManyElements);
        }
        let malformed = |detail: String| XmlError::Malformed {
            position: 0,
            detail,
        };
        let depth = stack.len() + 1;
        let attrs_start = self.attrs.len();
        for (count, attr) in start.attributes().enumerate() {
            // Checked before the attribute is read: quick-xml's duplicate check makes the
            // n-th attribute cost n comparisons.
            if count >= ATTRIBUTES_MAX {
                return Err(XmlError::TooManyAttributes);
            }
            let attr = attr.map_err(|e| malformed(e.to_string()))?;
            let key = borrow_from(input, attr.key.as_ref()).ok_or(XmlError::NotUtf8)?;
            let value = match borrow_from(input, &attr.value) {
                Some(raw) if !raw.contains('&') => Cow::Borrowed(raw),
                _ => Cow::Owned(
                    attr.unescape_value()
                        .map_err(|e| malformed(e.to_string()))?
                        .into_owned(),
                ),
            };
            if key == "xmlns" || key.starts_with("xmlns:") {
                let prefix = key.strip_prefix("xmlns:").unwrap_or("");
                let ns = self.intern(value)?;
                bindings.push(Binding { prefix, ns, depth });
            } else if !key.contains(':') {
                // Prefixed attributes (xsi:...) carry no business data.
                self.attrs.push((key, value));
            }
        }
        let qname = borrow_from(input, start.name().as_ref()).ok_or(XmlError::NotUtf8)?;
        let (prefix, name) = qname.split_once(':').unwrap_or(("", qname));
        // Unprefixed names (the common case) need no string comparison.
        let same_prefix = |b: &&Binding<'_>| {
            b.prefix.len() == prefix.len() && (prefix.is_empty() || b.prefix == prefix)
        };
        let ns = match bindings.iter().rev().find(same_prefix) {
            // `xmlns=""` undeclares the default namespace.
            Some(b) if self.namespaces[usize::from(b.ns)].is_empty() => NO_NS,
            Some(b) => b.ns,
            None if prefix.is_empty() => NO_NS,
            None => return Err(malformed(format!("unbound namespace prefix {prefix}"))),
        };
        let id = u32::try_from(self.nodes.len()).map_err(|_| XmlError::TooManyElements)?;
        let parent = stack.last().copied().unwrap_or(NONE);
        let attrs_len = self.attrs.len() - attrs_start;
        self.nodes.push(Node {
            ns,
            name,
            text: Cow::Borrowed(""),
            attrs_start: u32::try_from(attrs_start).map_err(|_| XmlError::TooManyElements)?,
            attrs_len: u32::try_from(attrs_len).map_err(|_| XmlError::TooManyElements)?,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            end: id + 1,
        });
        if let Some(p) = link(parent) {
            match link(self.nodes[p].last_child) {
                Some(last) => self.nodes[last].next_sibling = id,
                None => self.nodes[p].first_child = id,
            }
            self.nodes[p].last_child = id;
        }
        Ok(())
    }

    fn open_text_is_empty(&self, stack: &[u32]) -> bool {
        stack
            .last()
            .is_none_or(|&id| self.nodes[id as usize].text.is_empty())
    }

    /// Appends character data to the open element. Whitespace before any character data is
    /// dropped: it is indentation between elements, and leaf values are trimmed anyway.
    fn append_text(&mut self, stack: &[u32], content: Cow<'a, str>) -> Result<(), XmlError> {
        let Some(&id) = stack.last() else {
            return if content.trim().is_empty() {
                Ok(())
            } else {
                Err(XmlError::TrailingContent)
            };
        };
        let text = &mut self.nodes[id as usize].text;
        if text.len().saturating_add(content.len()) > TEXT_BYTES_MAX {
            return Err(XmlError::TextTooLarge);
        }
        if text.is_empty() {
            if !content.trim().is_empty() {
                *text = content;
            }
        } else {
            text.to_mut().push_str(&content);
        }
        Ok(())
    }

    /// The root element.
    pub fn root(&self) -> El<'_> {
        El { dom: self, id: 0 }
    }
}

/// `part` as a sub-slice of `input` with the input's lifetime, if it lies within it (always
/// the case for names and raw attribute values read from a `&str` reader).
fn borrow_from<'a>(input: &'a str, part: &[u8]) -> Option<&'a str> {
    let range = input.as_bytes().as_ptr_range();
    let start = part.as_ptr();
    let at_end = part.is_empty() && start == range.end;
    if !(range.contains(&start) || at_end) {
        return None;
    }
    let offset = (start as usize).checked_sub(input.as_ptr() as usize)?;
    input.get(offset..offset.checked_add(part.len())?)
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
        self.node().name
    }

    /// Namespace URI, if any.
    pub fn ns(&self) -> Option<&'a str> {
        let ns = self.node().ns;
        (ns != NO_NS).then(|| self.dom.namespaces[usize::from(ns)].as_ref())
    }

    /// Text content of this element (excluding children, leading indentation dropped).
    pub fn text(&self) -> &'a str {
        &self.node().text
    }

    /// The value of an unprefixed attribute.
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        let node = self.node();
        let start = node.attrs_start as usize;
        self.dom.attrs[start..start + node.attrs_len as usize]
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_ref())
    }

    /// Whether the element has child elements.
    pub fn has_children(&self) -> bool {
        self.node().first_child != NONE
    }

    /// Child elements in document order.
    pub fn children(self) -> impl Iterator<Item = El<'a>> + 'a {
        let dom = self.dom;
        std::iter::successors(link(self.node().first_child), move |&id| {
            link(dom.nodes[id].next_sibling)
        })
        .map(move |id| El { dom, id })
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

    /// All elements of this subtree (self first), in document order.
    pub fn descendants(self) -> impl Iterator<Item = El<'a>> + 'a {
        let dom = self.dom;
        (self.id..self.node().end as usize).map(move |id| El { dom, id })
    }

    /// Slash-separated path of local names from the root, e.g. `/Document/FIToFICstmrCdtTrf`.
    pub fn path(&self) -> String {
        let mut names = Vec::new();
        let mut cur = Some(self.id);
        while let Some(id) = cur {
            names.push(self.dom.nodes[id].name);
            cur = link(self.dom.nodes[id].parent);
        }
        names.reverse();
        let mut out = String::new();
        for n in names {
            out.push('/');
            out.push_str(n);
        }
        out
    }

    fn node(&self) -> &'a Node<'a> {
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
        let names: Vec<_> = root.descendants().map(|e| e.name()).collect();
        assert_eq!(names, ["Envelope", "Doc", "A"]);
        assert_eq!(root.children().count(), 1);
    }

    #[test]
    fn text_keeps_inner_whitespace_and_entities() {
        let dom = Dom::parse(b"<a>\n  <b> x &lt; y </b>\n  <c/></a>").expect("parses");
        let root = dom.root();
        assert_eq!(root.text(), "");
        assert_eq!(root.text_at(&["b"]), Some(" x < y "));
        let subtree: Vec<_> = root
            .at(&["b"])
            .expect("b")
            .descendants()
            .map(|e| e.name())
            .collect();
        assert_eq!(subtree, ["b"]);
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
    fn attributes_per_element_are_bounded() {
        let attrs: String = (0..ATTRIBUTES_MAX)
            .map(|i| format!(" a{i}=\"v\""))
            .collect();
        let ok = format!("<a{attrs}/>");
        assert!(Dom::parse(ok.as_bytes()).is_ok());
        let over = format!("<a{attrs} z=\"v\"/>");
        let err = Dom::parse(over.as_bytes()).err();
        assert_eq!(err, Some(XmlError::TooManyAttributes));
        assert!(err.is_some_and(|e| e.is_limit()));
    }

    #[test]
    fn text_per_element_is_bounded() {
        let ok = format!("<a>{}</a>", "x".repeat(TEXT_BYTES_MAX));
        assert_eq!(
            Dom::parse(ok.as_bytes())
                .expect("parses")
                .root()
                .text()
                .len(),
            TEXT_BYTES_MAX
        );
        // Split by entity references, so the pieces are appended one by one.
        let over = format!("<a>{}&amp;</a>", "x".repeat(TEXT_BYTES_MAX));
        assert_eq!(
            Dom::parse(over.as_bytes()).err(),
            Some(XmlError::TextTooLarge)
        );
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
