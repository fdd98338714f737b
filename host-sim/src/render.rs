//! Prints the plugin's documents the way a QBM screen would show them: as tables.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::Value;

fn table(header: Vec<String>) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .set_header(header);
    table
}

/// A JSON value as a cell: strings without quotes, null as empty.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

pub fn menu(doc: &Value) -> String {
    if doc["visible"] != true {
        return format!(
            "WooCommerce menu: hidden. {}\n",
            text(&doc["hidden_reason"])
        );
    }
    let path: Vec<&str> = doc["path"]
        .as_array()
        .map(|p| p.iter().map(text).collect())
        .unwrap_or_default();
    let mut out = format!("{}\n", path.join(" → "));
    for item in doc["items"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  • {}  (screen: {})\n",
            text(&item["label"]),
            text(&item["screen"])
        ));
    }
    out
}

pub fn schema(doc: &Value) -> String {
    let mut out = String::new();
    for section in doc["sections"].as_array().into_iter().flatten() {
        out.push_str(&format!("\n{}\n", text(&section["label"])));
        let mut t = table(
            ["Key", "Option", "Type", "Default", "Scope", "Flags", "Help"]
                .map(String::from)
                .to_vec(),
        );
        for field in section["fields"].as_array().into_iter().flatten() {
            let mut flags = Vec::new();
            if field["secret"] == true {
                flags.push("secret".to_string());
            }
            if field["read_only"] == true {
                flags.push("read-only".to_string());
            }
            if let Some(parent) = field["enabled_by"].as_str() {
                flags.push(format!("needs {parent}"));
            }
            if field["required_when_enabled"] == true {
                flags.push("required".to_string());
            }
            t.add_row(vec![
                cell(&field["key"]),
                cell(&field["label"]),
                cell(&field["type"]),
                cell(&field["default"]),
                cell(&field["scope"]),
                flags.join(", "),
                cell(&field["help"]),
            ]);
        }
        out.push_str(&format!("{t}\n"));
        let buttons: Vec<String> = section["buttons"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| format!("[{}] ({})", text(&b["label"]), text(&b["action"])))
            .collect();
        if !buttons.is_empty() {
            out.push_str(&format!("Buttons: {}\n", buttons.join("  ")));
        }
    }
    out
}

pub fn options(values: &Value, schema: &Value) -> String {
    let mut t = table(["Option", "Key", "Value"].map(String::from).to_vec());
    for section in schema["sections"].as_array().into_iter().flatten() {
        for field in section["fields"].as_array().into_iter().flatten() {
            let key = text(&field["key"]);
            let value = if field["secret"] == true {
                let secret = &values["secrets"][key];
                match (secret["set"] == true, secret["protected"] == true) {
                    (true, true) => "(set, hidden, in protected storage)".to_string(),
                    (true, false) => "(set, hidden)".to_string(),
                    (false, _) => "(not set)".to_string(),
                }
            } else {
                cell(&values["values"][key])
            };
            t.add_row(vec![cell(&field["label"]), key.to_string(), value]);
        }
    }
    let mut out = format!("{t}\n");
    for problem in values["problems"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "Problem: {}: {}\n",
            text(&problem["label"]),
            text(&problem["message"])
        ));
    }
    out
}

pub fn report(doc: &Value) -> String {
    let mut out = String::new();
    let verdict = match (doc["valid"] == true, doc["saved"] == true) {
        (true, true) => "Saved.",
        (true, false) => "Valid (not saved).",
        (false, _) => "Not saved: fix the fields below.",
    };
    out.push_str(&format!("{verdict}\n"));
    for (kind, key) in [("error", "errors"), ("warning", "warnings")] {
        for message in doc[key].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "  {kind}: {}: {}\n",
                text(&message["label"]),
                text(&message["message"])
            ));
        }
    }
    if let Some(changed) = doc["changed"].as_array().filter(|c| !c.is_empty()) {
        out.push_str(&format!(
            "  changed: {}\n",
            cell(&Value::Array(changed.clone()))
        ));
    }
    out
}

pub fn screen(doc: &Value) -> String {
    let mut out = format!("{}\n", text(&doc["title"]));
    for tab in doc["tabs"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "\n  Tab \"{}\" ({})\n",
            text(&tab["label"]),
            text(&tab["id"])
        ));
        let columns: Vec<&str> = tab["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| text(&c["label"]))
            .collect();
        out.push_str(&format!("    Columns: {}\n", columns.join(" | ")));
        let filters: Vec<&str> = tab["filters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| text(&f["id"]))
            .collect();
        if !filters.is_empty() {
            out.push_str(&format!("    Filters: {}\n", filters.join(", ")));
        }
        for action in tab["actions"].as_array().into_iter().flatten() {
            let mut needs = Vec::new();
            if action["needs_selection"] == true {
                needs.push("selection".to_string());
            }
            if let Some(permission) = action["permission"].as_str() {
                needs.push(format!("permission {permission}"));
            }
            if let Some(option) = action["requires_option"].as_str() {
                needs.push(format!("option {option}"));
            }
            let unavailable = if action["available"] == false {
                format!("  (not available: {})", text(&action["unavailable_reason"]))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "    [{}] {}{}{unavailable}\n",
                text(&action["label"]),
                text(&action["id"]),
                if needs.is_empty() {
                    String::new()
                } else {
                    format!("  (needs {})", needs.join(", "))
                }
            ));
        }
    }
    out
}

pub fn response(doc: &Value) -> String {
    let mut out = match text(&doc["outcome"]) {
        "incomplete" => format!("Stopped part way: {}\n", text(&doc["message"])),
        "cancelled" => format!("Cancelled: {}\n", text(&doc["message"])),
        _ => format!("{}\n", text(&doc["message"])),
    };
    if let Some(summary) = doc["summary"].as_object() {
        let parts: Vec<String> = ["processed", "created", "updated", "skipped", "failed"]
            .iter()
            .map(|k| format!("{k} {}", cell(summary.get(*k).unwrap_or(&Value::Null))))
            .collect();
        out.push_str(&format!("Summary: {}\n", parts.join(", ")));
    }
    for warning in doc["warnings"].as_array().into_iter().flatten() {
        out.push_str(&format!("Warning: {}\n", cell(warning)));
    }
    if let Some(details) = doc["details"].as_object() {
        for (key, value) in details {
            out.push_str(&format!("  {key}: {}\n", cell(value)));
        }
    }
    if let Some(tbl) = doc.get("table").filter(|t| t.is_object()) {
        let columns: Vec<(String, String)> = tbl["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (text(&c["id"]).to_string(), text(&c["label"]).to_string()))
            .collect();
        let mut t = table(columns.iter().map(|(_, label)| label.clone()).collect());
        let rows = tbl["rows"].as_array().cloned().unwrap_or_default();
        for row in &rows {
            t.add_row(
                columns
                    .iter()
                    .map(|(id, _)| cell(&row[id]))
                    .collect::<Vec<_>>(),
            );
        }
        out.push_str(&format!("{t}\n({} rows)\n", rows.len()));
    }
    if let Some(prompt) = doc.get("prompt").filter(|p| p.is_object()) {
        out.push_str(&format!(
            "\nQuestion \"{}\": {}\n",
            text(&prompt["title"]),
            text(&prompt["message"])
        ));
        for field in prompt["fields"].as_array().into_iter().flatten() {
            let choices: Vec<String> = field["choices"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| format!("{}={}", text(&c["value"]), text(&c["label"])))
                .collect();
            out.push_str(&format!(
                "  {}.{} — {} [{}]{}\n",
                text(&prompt["id"]),
                text(&field["id"]),
                text(&field["label"]),
                choices.join("; "),
                field["default"]
                    .as_str()
                    .map(|d| format!(" default {d}"))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(screen) = doc["open_screen"].as_str() {
        out.push_str(&format!("(opens the {screen} screen)\n"));
    }
    out
}
