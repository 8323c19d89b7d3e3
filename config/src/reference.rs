//! The configuration reference (`docs/configuration.md`), generated from the doc comments of the
//! schema's structs and fields, with the defaults taken from [`Config::default`] itself. A test
//! keeps the committed file in step with the code; `TOCSIN_BLESS=1 cargo test -p tocsin-config`
//! rewrites it.

use std::fmt::Write as _;

use crate::Config;

const SOURCES: [&str; 2] = [include_str!("schema.rs"), include_str!("rules.rs")];

/// A documented field of a schema struct.
#[derive(Debug, Clone)]
struct Field {
    /// The key as written in the file (after `#[serde(rename)]`).
    key: String,
    /// The Rust type, as written.
    ty: String,
    doc: String,
    /// Whether serde fills it in when the file leaves it out.
    has_default: bool,
}

#[derive(Debug, Clone)]
struct Struct {
    name: String,
    doc: String,
    fields: Vec<Field>,
}

/// Reads the `pub struct`s of the schema sources: their doc comments, fields and serde attributes.
/// The sources are rustfmt-formatted, one field or attribute per line.
fn structs() -> Vec<Struct> {
    let mut out = Vec::new();
    for src in SOURCES {
        let mut doc: Vec<String> = Vec::new();
        let mut attrs: Vec<String> = Vec::new();
        let mut current: Option<Struct> = None;
        for line in src.lines() {
            let t = line.trim();
            if let Some(d) = t.strip_prefix("///") {
                doc.push(d.strip_prefix(' ').unwrap_or(d).to_owned());
                continue;
            }
            if t.starts_with("#[") {
                attrs.push(t.to_owned());
                continue;
            }
            if let Some(rest) = t.strip_prefix("pub struct ") {
                let name = rest.trim_end_matches(" {").trim().to_owned();
                current = Some(Struct {
                    name,
                    doc: doc.join("\n"),
                    fields: Vec::new(),
                });
            } else if let (Some(s), Some(rest)) = (current.as_mut(), t.strip_prefix("pub ")) {
                if let Some((name, ty)) = rest.trim_end_matches(',').split_once(": ") {
                    let serde: String = attrs
                        .iter()
                        .filter(|a| a.starts_with("#[serde("))
                        .cloned()
                        .collect();
                    let key = serde
                        .split("rename = \"")
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .unwrap_or(name)
                        .to_owned();
                    s.fields.push(Field {
                        key,
                        ty: ty.to_owned(),
                        doc: doc.join(" "),
                        has_default: serde.contains("default"),
                    });
                }
            } else if line == "}" {
                out.extend(current.take());
            }
            doc.clear();
            attrs.clear();
        }
    }
    out
}

/// A default value as it would be written in the file.
fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) if s.is_empty() => "`\"\"` (empty)".to_owned(),
        toml::Value::Table(t) if t.is_empty() => "none".to_owned(),
        toml::Value::Array(a) if a.is_empty() => "`[]`".to_owned(),
        other => format!("`{other}`"),
    }
}

fn env_name(path: &[&str]) -> String {
    format!(
        "`TOCSIN_{}`",
        path.iter()
            .map(|s| s.to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join("__")
    )
}

/// Markdown table cells hold no line breaks or pipes.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

struct Writer<'a> {
    structs: &'a [Struct],
    out: String,
}

impl Writer<'_> {
    fn find(&self, name: &str) -> Option<&Struct> {
        self.structs.iter().find(|s| s.name == name)
    }

    /// One `[section]`: a table of its plain keys, then its sub-tables.
    fn section(&mut self, path: &[&str], s: &Struct, defaults: Option<&toml::Value>) {
        let title = path.join(".");
        let _ = writeln!(self.out, "\n## `[{title}]`\n");
        // The struct's doc starts with its own header ("`[kafka]`"); the rest explains it.
        let doc = s
            .doc
            .split_once('`')
            .and_then(|(_, r)| r.split_once('`'))
            .map_or(s.doc.as_str(), |(_, rest)| rest)
            .trim_start_matches(':')
            .trim();
        if !doc.is_empty() {
            let _ = writeln!(self.out, "{}\n", doc.replace('\n', " "));
        }
        let _ = writeln!(
            self.out,
            "| Key | Default | Environment variable | Meaning |\n| --- | --- | --- | --- |"
        );
        let mut subs = Vec::new();
        for f in &s.fields {
            if let Some(sub) = self.find(&f.ty) {
                subs.push((f.key.clone(), sub.clone()));
                continue;
            }
            let default = match defaults.and_then(|d| d.get(&f.key)) {
                Some(v) => show(v),
                None if f.has_default => "unset".to_owned(),
                None => "required".to_owned(),
            };
            let mut full: Vec<&str> = path.to_vec();
            full.push(&f.key);
            let env = if f.ty.starts_with("BTreeMap") {
                "—".to_owned()
            } else {
                env_name(&full)
            };
            let _ = writeln!(
                self.out,
                "| `{}` | {} | {} | {} |",
                f.key,
                cell(&default),
                env,
                cell(&f.doc)
            );
        }
        for (key, sub) in subs {
            let mut p: Vec<&str> = path.to_vec();
            p.push(&key);
            let d = defaults.and_then(|d| d.get(&key));
            self.section(&p, &sub, d);
        }
    }

    /// `[[rules]]`: no environment variables; defaults of an otherwise minimal rule.
    fn rules(&mut self, rule: &Struct) {
        let minimal: toml::Value = toml::from_str::<crate::Rule>(
            "name = \"r\"\ntype = \"count\"\nwindow = \"1h\"\nthreshold = 1\n",
        )
        .ok()
        .and_then(|r| toml::Value::try_from(r).ok())
        .unwrap_or(toml::Value::Table(toml::Table::new()));
        let _ = writeln!(self.out, "\n## `[[rules]]`\n");
        let _ = writeln!(
            self.out,
            "Each `[[rules]]` table is one rule, evaluated per region; the defaults are in \
             `config/tocsin.toml`. A configuration that declares no rules uses those. Rules are not \
             overridden by environment variables.\n"
        );
        let _ = writeln!(self.out, "| Key | Default | Meaning |\n| --- | --- | --- |");
        for f in &rule.fields {
            let default = if !f.has_default {
                "required".to_owned()
            } else {
                minimal.get(&f.key).map_or_else(|| "none".to_owned(), show)
            };
            let _ = writeln!(
                self.out,
                "| `{}` | {} | {} |",
                f.key,
                cell(&default),
                cell(&f.doc)
            );
        }
    }
}

/// The reference, as Markdown.
pub fn markdown() -> String {
    let structs = structs();
    let defaults = toml::Value::try_from(Config::default()).ok();
    let mut w = Writer {
        structs: &structs,
        out: String::new(),
    };
    w.out.push_str(
        "# Configuration reference\n\n\
         Every setting of `tocsin.toml`, its default and the environment variable that overrides it\n\
         (`TOCSIN_<SECTION>__<KEY>`; the command line wins over both). `config/tocsin.toml` is the\n\
         documented default file; `tocsin check-config FILE` lists every problem of a file with its\n\
         line and column. Durations are written like `\"90s\"`, `\"10m\"`, `\"48h\"` or `\"7d\"`.\n\n\
         This page is generated from the doc comments of `config/src/schema.rs` and\n\
         `config/src/rules.rs`; after changing them, run `TOCSIN_BLESS=1 cargo test -p tocsin-config`.\n",
    );
    let Some(root) = w.find("Config").cloned() else {
        return w.out;
    };
    for f in &root.fields {
        if f.ty == "Vec<Rule>" {
            if let Some(rule) = w.find("Rule").cloned() {
                w.rules(&rule);
            }
        } else if let Some(s) = w.find(&f.ty).cloned() {
            let d = defaults.as_ref().and_then(|d| d.get(&f.key));
            w.section(&[f.key.as_str()], &s, d);
        }
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_documented() {
        let structs = structs();
        assert!(structs.len() >= 9, "{structs:#?}");
        for s in &structs {
            for f in &s.fields {
                assert!(
                    !f.doc.trim().is_empty(),
                    "{}.{} has no doc comment",
                    s.name,
                    f.key
                );
            }
        }
        let rule = structs.iter().find(|s| s.name == "Rule").unwrap();
        assert!(rule.fields.iter().any(|f| f.key == "type"), "renamed field");
    }

    #[test]
    fn docs_configuration_md_is_up_to_date() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/configuration.md");
        let want = markdown();
        if std::env::var_os("TOCSIN_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is out of date: run `TOCSIN_BLESS=1 cargo test -p tocsin-config`",
            path.display()
        );
    }

    #[test]
    fn defaults_and_environment_names_come_from_the_code() {
        let md = markdown();
        assert!(
            md.contains("| `allowed_lateness` | `\"48h\"` | `TOCSIN_ALERTING__ALLOWED_LATENESS` |"),
            "{md}"
        );
        assert!(md.contains("## `[kafka.topics]`"), "{md}");
        assert!(md.contains("| `reports` | `\"reports\"` | `TOCSIN_KAFKA__TOPICS__REPORTS` |"));
        assert!(md.contains("| `threshold` | required |"), "{md}");
    }
}
