//! Where a field path (`spec.template.spec.containers[0].image`) sits in the YAML
//! text, so that every error, whatever found it, can point at a line and column.
//!
//! serde_yaml keeps no positions in its values, but stamps the position of the
//! current event on an error raised while visiting it. So we walk the document
//! along the path and raise an error at the target.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::decode::Location;

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Parses `a.b[0].c` (the API server's path notation) into segments. A key
/// in brackets may hold dots: `limits[example.com/dongle]`.
pub fn parse_path(path: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut key = String::new();
    let mut chars = path.chars();
    let end_key = |key: &mut String, segments: &mut Vec<Segment>| {
        if !key.is_empty() {
            segments.push(Segment::Key(std::mem::take(key)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '.' => end_key(&mut key, &mut segments),
            '[' => {
                end_key(&mut key, &mut segments);
                let inside: String = chars.by_ref().take_while(|c| *c != ']').collect();
                match inside.parse() {
                    Ok(index) => segments.push(Segment::Index(index)),
                    // `metadata.labels[app]`-style map keys.
                    Err(_) => segments.push(Segment::Key(inside)),
                }
            }
            c => key.push(c),
        }
    }
    end_key(&mut key, &mut segments);
    segments
}

/// The position of `path` in document `document` (0-based, counting every
/// `---` document, empty ones included). Falls back to the longest prefix of the
/// path that exists, then to the document itself.
pub fn locate(text: &str, document: usize, path: &[Segment]) -> Option<Location> {
    (0..=path.len()).rev().find_map(|len| {
        let de = serde_yaml::Deserializer::from_str(text).nth(document)?;
        let error = Finder { path: &path[..len] }.deserialize(de).err()?;
        error.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        })
    })
}

/// Follows `path`; errors (so serde_yaml records the position) on reaching its end.
struct Finder<'a> {
    path: &'a [Segment],
}

impl<'de> DeserializeSeed<'de> for Finder<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        if self.path.is_empty() {
            // Any visit of Stop is an error: the position of this value.
            de.deserialize_any(Stop).map(|_| ())
        } else {
            de.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Finder<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping or a sequence")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(Segment::Key(wanted)) = self.path.first() else {
            return Ok(());
        };
        let last = self.path.len() == 1;
        while let Some(found) = map.next_key_seed(KeyFinder { wanted, last })? {
            if found {
                map.next_value_seed(Finder {
                    path: &self.path[1..],
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(Segment::Index(wanted)) = self.path.first() else {
            return Ok(());
        };
        for _ in 0..*wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Finder {
            path: &self.path[1..],
        })?;
        // The rest must be read too, or serde_yaml reports the sequence as too long.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    // A scalar where the path goes deeper: the path does not exist.
    fn visit_bool<E: Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Reads a mapping key: `Ok(true)` if it is the one wanted, or an error at the
/// key's position when it is the last step of the path.
struct KeyFinder<'a> {
    wanted: &'a str,
    last: bool,
}

impl<'de> DeserializeSeed<'de> for KeyFinder<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<bool, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyFinder<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: Error>(self, key: &str) -> Result<bool, E> {
        match (key == self.wanted, self.last) {
            (true, true) => Err(E::custom("found")),
            (found, _) => Ok(found),
        }
    }
    fn visit_bool<E: Error>(self, v: bool) -> Result<bool, E> {
        self.visit_str(if v { "true" } else { "false" })
    }
    fn visit_i64<E: Error>(self, v: i64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: Error>(self, v: u64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: Error>(self, v: f64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_unit<E: Error>(self) -> Result<bool, E> {
        self.visit_str("null")
    }
}

/// Fails on whatever it visits; serde_yaml stamps that value's position on the error.
struct Stop;

impl<'de> Visitor<'de> for Stop {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("nothing (this marks a position)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
apiVersion: v1
kind: Node
metadata:
  name: a
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: x}
spec:
  template:
    spec:
      containers:
      - name: one
        image: busybox
      - name: two
        imagee: busybox
";

    fn at(document: usize, path: &str) -> Option<(usize, usize)> {
        locate(TEXT, document, &parse_path(path)).map(|l| (l.line, l.column))
    }

    #[test]
    fn paths_parse_like_the_api_server_writes_them() {
        assert_eq!(
            parse_path("spec.containers[1].image"),
            [
                Segment::Key("spec".into()),
                Segment::Key("containers".into()),
                Segment::Index(1),
                Segment::Key("image".into()),
            ]
        );
    }

    #[test]
    fn keys_are_found_in_the_right_document() {
        assert_eq!(at(0, "metadata.name"), Some((4, 3)));
        assert_eq!(at(1, "metadata.name"), Some((8, 12)));
        assert_eq!(
            at(1, "spec.template.spec.containers[1].imagee"),
            Some((16, 9))
        );
        assert_eq!(at(1, "spec.template.spec.containers[0]"), Some((13, 9)));
    }

    #[test]
    fn sequence_items_without_the_key_are_found() {
        let text = "spec:\n  selector:\n    matchLabels:\n      app: agent\n    matchExpressions:\n    - key: tier\n      operator: In\n";
        let at = locate(
            text,
            0,
            &parse_path("spec.selector.matchExpressions[0].values"),
        )
        .map(|l| (l.line, l.column));
        assert_eq!(at, Some((6, 7)));
    }

    #[test]
    fn a_missing_path_falls_back_to_its_longest_prefix() {
        assert_eq!(
            at(1, "spec.template.spec.containers[1].image"),
            Some((15, 9))
        );
        assert_eq!(at(1, "spec.selector"), Some((9, 1)));
    }
}
