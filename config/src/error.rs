use std::fmt;

use toml::de::{DeArray, DeTable, DeValue};

/// One configuration problem, located in its file when possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: String,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The key path concerned (`rules.2.window`), when known.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        if let Some(k) = &self.key {
            write!(f, ": `{k}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ConfigError {
    pub fn plain(file: &str, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_owned(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
        }
    }

    pub(crate) fn io(file: String, message: String) -> Self {
        ConfigError::plain(&file, format!("cannot read: {message}"))
    }

    /// From a TOML syntax or deserialisation error, which carries a byte span.
    pub fn from_toml(file: &str, src: &str, e: &toml::de::Error) -> Self {
        let (line, column) = match e.span() {
            Some(span) => {
                let (l, c) = line_col(src, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ConfigError {
            file: file.to_owned(),
            line,
            column,
            key: None,
            message: e.message().trim().to_owned(),
        }
    }

    /// A validation error about `path` (`section.key` or `rules.1.window`); located in `src` when the
    /// key is written there, else at its closest written parent.
    pub fn at_path(file: &str, src: &str, path: &str, message: String) -> Self {
        let offset = locate(src, path);
        let (line, column) = match offset {
            Some(o) => {
                let (l, c) = line_col(src, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ConfigError {
            file: file.to_owned(),
            line,
            column,
            key: Some(path.to_owned()),
            message,
        }
    }
}

/// Every problem found in one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    pub fn single(e: ConfigError) -> Self {
        ConfigErrors(vec![e])
    }
    pub fn from_vec(v: Vec<ConfigError>) -> Self {
        ConfigErrors(v)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte offset where the value at `path` is written, or its nearest written ancestor.
/// The segments of a key path written as in TOML: `kafka.properties."sasl.password"` is three.
fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A key as written in a TOML key path: quoted when it holds anything but `A-Za-z0-9_-`.
pub fn key_segment(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

fn locate(src: &str, path: &str) -> Option<usize> {
    let doc = DeTable::parse(src).ok()?;
    let mut best = None;
    let mut table: Option<&DeTable<'_>> = Some(doc.get_ref());
    let mut array: Option<&DeArray<'_>> = None;
    for seg in split_path(path) {
        let seg = seg.as_str();
        let found = if let Some(arr) = array.take() {
            seg.parse::<usize>().ok().and_then(|i| arr.get(i))
        } else if let Some(t) = table.take() {
            t.iter()
                .find(|(k, _)| k.get_ref().as_ref() == seg)
                .map(|(k, v)| {
                    best = Some(k.span().start);
                    v
                })
        } else {
            None
        };
        let Some(v) = found else { break };
        if best.is_none() || matches!(v.get_ref(), DeValue::Table(_)) {
            best = Some(v.span().start);
        }
        match v.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    best
}

/// Overlays `TOCSIN_<SECTION>__<KEY>` variables (`__` separates levels; the rest is lower-cased) on
/// the parsed table. Values are read as TOML when they parse as a TOML value (numbers, booleans,
/// arrays), else as strings. Returns whether anything was overridden.
pub(crate) fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<bool, Vec<ConfigError>> {
    const SECTIONS: &[&str] = &["kafka", "ingest", "enrich", "alerting", "run", "metrics"];
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("TOCSIN_") && k.contains("__"))
        .collect();
    vars.sort();
    let mut errors = Vec::new();
    let mut any = false;
    for (name, raw) in vars {
        let path: Vec<String> = name["TOCSIN_".len()..]
            .split("__")
            .map(|s| s.to_ascii_lowercase())
            .collect();
        if path.len() < 2
            || !SECTIONS.contains(&path[0].as_str())
            || path.iter().any(String::is_empty)
        {
            errors.push(ConfigError::plain(
                "environment",
                format!(
                    "{name}: not a setting; use TOCSIN_<SECTION>__<KEY> with a section among {}",
                    SECTIONS.join(", ")
                ),
            ));
            continue;
        }
        let value = parse_env_value(&raw);
        match insert_path(table, &path, value) {
            Ok(()) => {}
            Err(seg) => {
                errors.push(ConfigError::plain(
                    "environment",
                    format!("{name}: `{seg}` is not a section"),
                ));
                continue;
            }
        }
        any = true;
    }
    if errors.is_empty() {
        Ok(any)
    } else {
        Err(errors)
    }
}

fn insert_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    let (last, parents) = path.split_last().expect("path has at least two segments");
    let mut cur = table;
    for seg in parents {
        let entry = cur
            .entry(seg.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        match entry {
            toml::Value::Table(t) => cur = t,
            _ => return Err(seg.clone()),
        }
    }
    cur.insert(last.clone(), value);
    Ok(())
}

fn parse_env_value(raw: &str) -> toml::Value {
    let doc = format!("v = {raw}");
    match toml::from_str::<toml::Table>(&doc) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn locates_nested_keys_and_array_items() {
        let src = "[a]\nx = 1\n\n[[r]]\nn = 1\n[[r]]\nn = 2\nw = \"q\"\n";
        assert_eq!(line_col(src, locate(src, "a.x").unwrap()).0, 2);
        assert_eq!(line_col(src, locate(src, "r.1.w").unwrap()).0, 8);
        // Missing keys fall back to the closest parent.
        assert_eq!(line_col(src, locate(src, "r.1.zz").unwrap()).0, 6);
        // Quoted keys with dots are one segment.
        let src = "[k.p]\n\"a.b\" = 1\n\"c.d\" = 2\n";
        assert_eq!(line_col(src, locate(src, "k.p.\"c.d\"").unwrap()).0, 3);
        assert_eq!(key_segment("c.d"), "\"c.d\"");
        assert_eq!(key_segment("max_depth"), "max_depth");
    }
}
