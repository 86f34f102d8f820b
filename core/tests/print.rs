//! The printed report (HTML and PDF) of every golden case: two pages, the
//! same bytes on every run, and the golden report's key figures on the
//! pages, written as the JSON's digits with thousands separators.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimscope::print::{self, Paper, PrintOptions};
use common::{cases, golden_dir};

/// `-1234567.5` as JSON text -> `-1,234,567.5`: grouping done here, apart
/// from the engine's own, on the golden file's text.
fn group_digits(json_number: &str) -> String {
    let (sign, digits) = json_number.strip_prefix('-').map_or(("", json_number), |d| ("-", d));
    let (int, frac) = digits.split_once('.').map_or((digits, ""), |(i, f)| (i, f));
    let mut groups: Vec<String> = Vec::new();
    let mut rest = int;
    while rest.len() > 3 {
        groups.insert(0, rest[rest.len() - 3..].to_string());
        rest = &rest[..rest.len() - 3];
    }
    groups.insert(0, rest.to_string());
    let frac = if frac.is_empty() { String::new() } else { format!(".{frac}") };
    format!("{sign}{}{frac}", groups.join(","))
}

/// The JSON number text of `key` inside `object_text` (first occurrence).
fn number_after(text: &str, key: &str) -> Option<String> {
    let at = text.find(&format!("\"{key}\": "))? + key.len() + 4;
    let tail = &text[at..];
    let end = tail.find([',', '\n', '}']).unwrap_or(tail.len());
    let raw = tail[..end].trim();
    (raw != "null").then(|| raw.to_string())
}

/// Figures a reader must find on the pages, from the golden JSON text.
fn key_figures(golden: &str) -> Vec<String> {
    let summary = &golden[golden.find("\"summary\": {").unwrap()..];
    // A completed report shows the completed loss ratio instead of the PEPM
    // tile, and the year-end projection instead of the trend.
    let completion = golden.find("\"completion\": {").map(|at| &golden[at..]);
    let projection = golden.find("\"projection\": {").map(|at| &golden[at..]);
    let mut money = vec!["gross_claims", "net_claims", "total_cost", "total_budget", "variance", "total_cost_pmpm"];
    if completion.is_none() {
        money.push("total_cost_pepm");
    }
    let mut figures: Vec<String> =
        money.iter().filter_map(|k| number_after(summary, k)).map(|n| group_digits(&n)).collect();
    // Ratios are printed as the JSON writes them.
    figures.extend(number_after(summary, "loss_ratio"));
    match projection {
        Some(p) => figures.extend(number_after(p, "projected_total_cost").map(|n| group_digits(&n))),
        None => figures.extend(number_after(summary, "trend_total_cost_pmpm")),
    }
    if let Some(c) = completion {
        let period = &c[c.find("\"period\": {").unwrap()..];
        figures.extend(number_after(period, "completed_loss_ratio"));
        figures.extend(number_after(period, "completed_total_cost").map(|n| group_digits(&n)));
    }
    let doc: serde_json::Value = serde_json::from_str(golden).unwrap();
    for h in doc["high_cost_claimants"]["claimants"].as_array().unwrap().iter().take(15) {
        figures.push(h["claimant_id"].as_str().unwrap().to_string());
    }
    for l in doc["lineage"].as_array().unwrap() {
        figures.push(l["sha256"].as_str().unwrap().to_string());
    }
    figures
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

#[test]
fn every_golden_case_prints_two_pages_with_its_figures() {
    let mut checked = 0;
    for (i, case) in cases().iter().enumerate() {
        let name = &case.name;
        // Every case on Letter; A4 for the first few (same layout code, scaled).
        let papers: &[Paper] = if i < 3 { &[Paper::Letter, Paper::A4] } else { &[Paper::Letter] };
        let report = case.report();
        let golden = std::fs::read_to_string(&case.expected).unwrap();
        for &paper in papers {
            let options = PrintOptions { paper, run_date: None };
            let pages = print::pages(&report, &options).unwrap();
            let text = format!("{}{}", pages[0], pages[1]);
            for figure in key_figures(&golden) {
                // A negative amount may be shown as -$1,916.67.
                let dollar = figure.strip_prefix('-').map(|d| format!("-${d}")).unwrap_or_default();
                let found = text.contains(&xml_text(&figure)) || (!dollar.is_empty() && text.contains(&dollar));
                assert!(found, "{name}: '{figure}' is not on the printed pages");
            }
            let pdf = print::pdf(&report, &options).unwrap();
            assert!(pdf.starts_with(b"%PDF-"), "{name}");
            let pdf_text = String::from_utf8_lossy(&pdf);
            assert_eq!(pdf_text.matches("/Type /Page\n").count(), 2, "{name}: the PDF must have exactly 2 pages");
            let (w, h) = paper.size();
            assert!(pdf_text.contains(&format!("/MediaBox [0 0 {} {}]", w as f32, h as f32)), "{name}: paper size");
            assert_eq!(print::pdf(&report, &options).unwrap(), pdf, "{name}: the PDF bytes differ between two runs");
            let html = print::html(&report, &options).unwrap();
            assert_eq!(html.matches("<section class=\"page\"").count(), 2, "{name}");
            assert!(html.contains(&golden.replace("</", "<\\/")), "{name}: the HTML carries the report JSON");
            assert!(
                !html.contains("http://")
                    || html.matches("http://").count() == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
                "{name}: no external resources"
            );
        }
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} cases printed");
}

#[test]
fn the_run_date_is_printed_only_when_given() {
    let ds = claimscope::tools::demo::dataset().unwrap();
    let report = ds.report(None, "2025", &Default::default()).unwrap();
    let plain = print::html(&report, &PrintOptions::default()).unwrap();
    let dated = print::html(&report, &PrintOptions::new("letter", Some("2026-01-15".into())).unwrap()).unwrap();
    assert!(!plain.contains("run 2026-01-15"));
    assert!(dated.contains("run 2026-01-15"));
    let e = PrintOptions::new("legal", None).unwrap_err();
    assert!(e.to_string().contains("paper 'legal' is not known; use letter or a4"), "{e}");
}

#[test]
fn a_long_period_still_prints_two_pages() {
    // 2024-01..2025-12 is 24 months; the whole generated span of the demo.
    let ds = claimscope::tools::demo::dataset().unwrap();
    let report = ds.report(None, "2024-01..2025-12", &Default::default()).unwrap();
    let pdf = print::pdf(&report, &PrintOptions::default()).unwrap();
    assert_eq!(String::from_utf8_lossy(&pdf).matches("/Type /Page\n").count(), 2);
}

/// The demo report's printed bytes, shared by every door's tests: each door
/// must print exactly these bytes (tests/golden/print/sample-2025.json).
#[test]
fn every_door_prints_the_same_bytes_as_recorded() {
    use sha2::{Digest, Sha256};
    let report = claimscope::tools::demo::dataset().unwrap().report(None, "2025", &Default::default()).unwrap();
    let letter = PrintOptions::default();
    let a4 = PrintOptions::new("a4", Some("2026-01-15".into())).unwrap();
    let hex = |bytes: &[u8]| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let actual = serde_json::json!({
        "report": {"period": "2025", "demo": true},
        "html_letter_sha256": hex(print::html(&report, &letter).unwrap().as_bytes()),
        "pdf_letter_sha256": hex(&print::pdf(&report, &letter).unwrap()),
        "pdf_a4_run_date_2026_01_15_sha256": hex(&print::pdf(&report, &a4).unwrap()),
    });
    let path = golden_dir().join("print/sample-2025.json");
    let text = format!("{}\n", serde_json::to_string_pretty(&actual).unwrap());
    if std::env::var("CLAIMSCOPE_UPDATE_GOLDEN").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        text,
        "printed bytes changed: rerun with CLAIMSCOPE_UPDATE_GOLDEN=1 if the layout change is intended"
    );
}

#[test]
fn grouping_helper_is_right() {
    assert_eq!(group_digits("1122790.97"), "1,122,790.97");
    assert_eq!(group_digits("-208740.82"), "-208,740.82");
    assert_eq!(group_digits("999"), "999");
    assert_eq!(group_digits("0.8734"), "0.8734");
}
