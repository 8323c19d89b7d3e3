//! Optional renderings of alerts: one emission as a CAP 1.2 message (OASIS Common Alerting
//! Protocol, for alerting hubs), and the open alerts as a GeoJSON FeatureCollection (for maps).
//!
//! CAP mapping: `new` → msgType `Alert`; `updated`, `escalated` → `Update`; `resolved` → `Update`
//! with urgency `Past`. Severity `low`/`medium`/`high`/`critical` → `Minor`/`Moderate`/`Severe`/
//! `Extreme`. The identifier is `<alert_id>:v<version>`; the area is the region's name and a circle
//! of radius 0 at its centre (CAP has no admin-code field). Times use CAP's `-00:00` for UTC.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::{Alert, Severity, Status};

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

fn cap_time(t: &str) -> String {
    match t.strip_suffix('Z') {
        Some(base) => format!("{base}-00:00"),
        None => t.to_owned(),
    }
}

/// One alert emission as a CAP 1.2 XML document; `sender` identifies this tocsin deployment.
pub fn cap(a: &Alert, sender: &str) -> String {
    let msg_type = match a.status {
        Status::New => "Alert",
        _ => "Update",
    };
    let urgency = match a.status {
        Status::Resolved => "Past",
        _ => "Immediate",
    };
    let severity = match a.severity {
        Severity::Low => "Minor",
        Severity::Medium => "Moderate",
        Severity::High => "Severe",
        Severity::Critical => "Extreme",
    };
    let headline = format!(
        "{} in {}: {} ({:?})",
        a.rule, a.region.name, a.kind, a.status
    );
    let description = format!(
        "{} = {} (threshold {}) over {} to {}: {} reports from {} sources, {} people reported killed.",
        a.rule, a.value, a.threshold, a.window.start, a.window.end, a.reports, a.sources, a.fatalities
    );
    let mut params = vec![
        ("alert_id", a.alert_id.clone()),
        ("rule", a.rule.clone()),
        ("status", format!("{:?}", a.status).to_lowercase()),
        ("region", a.region.id.clone()),
        ("value", a.value.to_string()),
        ("threshold", a.threshold.to_string()),
        ("fatalities", a.fatalities.to_string()),
        ("version", a.version.to_string()),
    ];
    if let Some(b) = a.baseline {
        params.push(("baseline", b.to_string()));
    }
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
    s.push_str(&format!(
        "  <identifier>{}:v{}</identifier>\n",
        xml(&a.alert_id),
        a.version
    ));
    s.push_str(&format!("  <sender>{}</sender>\n", xml(sender)));
    s.push_str(&format!(
        "  <sent>{}</sent>\n",
        xml(&cap_time(&a.emitted_at))
    ));
    s.push_str("  <status>Actual</status>\n");
    s.push_str(&format!("  <msgType>{msg_type}</msgType>\n"));
    s.push_str("  <scope>Public</scope>\n");
    s.push_str("  <info>\n");
    s.push_str("    <category>Security</category>\n");
    s.push_str(&format!("    <event>{}</event>\n", xml(&a.kind)));
    s.push_str(&format!("    <urgency>{urgency}</urgency>\n"));
    s.push_str(&format!("    <severity>{severity}</severity>\n"));
    s.push_str("    <certainty>Possible</certainty>\n");
    s.push_str(&format!(
        "    <onset>{}</onset>\n",
        xml(&cap_time(&a.first_seen))
    ));
    s.push_str(&format!("    <headline>{}</headline>\n", xml(&headline)));
    s.push_str(&format!(
        "    <description>{}</description>\n",
        xml(&description)
    ));
    for (k, v) in params {
        s.push_str(&format!(
            "    <parameter><valueName>{k}</valueName><value>{}</value></parameter>\n",
            xml(&v)
        ));
    }
    s.push_str("    <area>\n");
    s.push_str(&format!(
        "      <areaDesc>{}</areaDesc>\n",
        xml(&a.region.name)
    ));
    s.push_str(&format!(
        "      <circle>{},{} 0</circle>\n",
        a.region.lat, a.region.lon
    ));
    s.push_str("    </area>\n");
    s.push_str("  </info>\n");
    s.push_str("</alert>\n");
    s
}

/// The alerts still open after `emissions` (latest version of each alert id, unless resolved), as
/// a GeoJSON FeatureCollection of points at the regions' centres, ordered by alert id.
pub fn geojson(emissions: &[Alert]) -> Value {
    let mut latest: BTreeMap<&str, &Alert> = BTreeMap::new();
    for a in emissions {
        let e = latest.entry(a.alert_id.as_str()).or_insert(a);
        if a.version > e.version {
            *e = a;
        }
    }
    let features: Vec<Value> = latest
        .values()
        .filter(|a| a.status != Status::Resolved)
        .map(|a| {
            json!({
                "type": "Feature",
                "id": a.alert_id,
                "geometry": {"type": "Point", "coordinates": [a.region.lon, a.region.lat]},
                "properties": {
                    "alert_id": a.alert_id,
                    "rule": a.rule,
                    "status": a.status,
                    "severity": a.severity,
                    "region": a.region.id,
                    "name": a.region.name,
                    "kind": a.kind,
                    "value": a.value,
                    "threshold": a.threshold,
                    "baseline": a.baseline,
                    "reports": a.reports,
                    "fatalities": a.fatalities,
                    "first_seen": a.first_seen,
                    "emitted_at": a.emitted_at,
                    "version": a.version,
                }
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str, status: Status, version: u32) -> Alert {
        let mut a: Alert = serde_json::from_str(r#"{"alert_id":"","rule":"killings-24h","status":"new","severity":"high","region":{"id":"SD.55","country":"SD","admin1":"SD.55","name":"West Darfur <W&D>","lat":13.45,"lon":22.45},"kind":"killing","window":{"start":"2023-06-14T00:00:00Z","end":"2023-06-15T00:00:00Z"},"value":40,"threshold":10,"baseline":null,"reports":3,"sources":2,"fatalities":40,"evidence":[],"first_seen":"2023-06-14T10:00:00Z","emitted_at":"2023-06-14T12:00:00Z","version":1}"#).unwrap();
        a.alert_id = id.into();
        a.status = status;
        a.version = version;
        a
    }

    #[test]
    fn cap_messages_carry_the_alert_and_escape_text() {
        let x = cap(
            &alert("k:SD.55:20230614T100000Z", Status::New, 1),
            "tocsin@example.org",
        );
        assert!(
            x.contains("<identifier>k:SD.55:20230614T100000Z:v1</identifier>"),
            "{x}"
        );
        assert!(x.contains("<sent>2023-06-14T12:00:00-00:00</sent>"), "{x}");
        assert!(x.contains("<msgType>Alert</msgType>"), "{x}");
        assert!(x.contains("<severity>Severe</severity>"), "{x}");
        assert!(
            x.contains("<areaDesc>West Darfur &lt;W&amp;D&gt;</areaDesc>"),
            "{x}"
        );
        assert!(x.contains("<circle>13.45,22.45 0</circle>"), "{x}");
        let r = cap(&alert("k", Status::Resolved, 3), "s");
        assert!(r.contains("<msgType>Update</msgType>") && r.contains("<urgency>Past</urgency>"));
    }

    #[test]
    fn geojson_lists_the_latest_version_of_open_alerts() {
        let v = geojson(&[
            alert("a", Status::New, 1),
            alert("b", Status::New, 1),
            alert("a", Status::Escalated, 2),
            alert("b", Status::Resolved, 2),
        ]);
        let f = v["features"].as_array().unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["id"], "a");
        assert_eq!(f[0]["properties"]["status"], "escalated");
        assert_eq!(f[0]["geometry"]["coordinates"][0], 22.45);
    }
}
