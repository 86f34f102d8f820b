//! `suggest_mapping`: a profile proposed from a carrier export's headers and
//! a sample of its values, with a confidence per column and one line per
//! decision the user still has to make.

use std::collections::{BTreeMap, BTreeSet};

use crate::load::columns::header_key;
use crate::load::mapping::{HeaderSpec, MappingProfile, AMOUNT_COLUMN};
use crate::model::dates::{self, CellDate, SlashEvidence};
use crate::model::error::Result;
use crate::model::table::Table;
use crate::source;

/// Common carrier spellings per canonical column (compared as header keys).
fn synonyms(column: &str) -> &'static [&'static str] {
    match column {
        "client_id" => &[
            "clientid",
            "client",
            "groupnumber",
            "groupno",
            "groupid",
            "group",
            "employerid",
            "employer",
            "planid",
            "accountid",
        ],
        "claim_id" => &["claimid", "claimnumber", "claimno", "claimnbr", "claim#", "claim", "claimref"],
        "claimant_id" => &[
            "claimantid",
            "claimantnumber",
            "claimant",
            "memberid",
            "membernumber",
            "memberno",
            "member",
            "patientid",
            "personid",
            "uniqueid",
        ],
        "claim_date" => &[
            "claimdate",
            "incurreddate",
            "servicedate",
            "dateofservice",
            "dos",
            "servicefromdate",
            "fromdate",
            "incurred",
            "filldate",
        ],
        "paid_date" => {
            &["paiddate", "datepaid", "checkdate", "processdate", "processeddate", "adjudicationdate", "paid"]
        }
        "claim_type" => &["claimtype", "type", "benefittype", "coveragetype", "medrx", "linetype", "source"],
        "service_type" => &["servicetype", "servicedescription", "servicedesc", "placeofservice", "pos"],
        "service_category" => {
            &["servicecategory", "svccategory", "svccat", "category", "benefitcategory", "servicecat"]
        }
        "icd_code" => &[
            "icdcode",
            "dxcode",
            "diagnosiscode",
            "icd10",
            "icd",
            "primarydx",
            "dx",
            "diagcode",
            "diagnosis",
            "primarydiagnosis",
        ],
        "medical_desc" => {
            &["medicaldesc", "diagnosisdescription", "dxdescription", "icddescription", "dxdesc", "description"]
        }
        "layman_term" => &["laymanterm", "layman", "plaindescription", "condition", "conditionname"],
        AMOUNT_COLUMN => &["paidamt", "paidamount", "amount", "amtpaid", "netpaid", "planpaid", "paid$", "claimamount"],
        "medical_amount" => &["medicalamount", "medicalpaid", "medpaid", "medical", "medamt", "medicalamt"],
        "pharmacy_amount" => {
            &["pharmacyamount", "pharmacypaid", "rxpaid", "rxamount", "rxamt", "pharmacy", "pharmacyamt"]
        }
        "total_amount" => &["totalamount", "totalpaid", "total", "totalamt"],
        "year" => &["year", "yr", "planyear"],
        "month" => &["month", "mo", "mon"],
        "budget_medical" => &["budgetmedical", "medicalbudget", "medbudget"],
        "budget_pharmacy" => &["budgetpharmacy", "pharmacybudget", "rxbudget"],
        "budget_admin" => &["budgetadmin", "adminbudget"],
        "total_budget" => &["totalbudget", "budget", "budgettotal"],
        "member_count" => &["membercount", "members", "membermonths", "lives", "enrolledmembers"],
        "employee_count" => {
            &["employeecount", "employees", "subscribers", "subscribercount", "eecount", "enrolledemployees"]
        }
        "fee_type" => &["feetype", "fee", "feedescription", "admintype"],
        "period" => &["period", "rebateperiod", "quarter"],
        "rebate_type" => &["rebatetype", "type"],
        "carrier" => &["carrier", "stoplosscarrier", "insurer"],
        "member_id" => &["memberid", "member", "membernumber", "memberno"],
        "subscriber_id" => &["subscriberid", "subscriber", "subscribernumber", "employeeid"],
        "start_date" => &["startdate", "effectivedate", "effdate", "coveragestart", "eligibilitystart"],
        "end_date" => &["enddate", "termdate", "terminationdate", "coverageend", "eligibilityend"],
        _ => &[],
    }
}

fn table_columns(table: Table) -> (&'static [&'static str], &'static [&'static str]) {
    match table {
        Table::Claims => (
            &["client_id", "claimant_id", "claim_date"],
            &[
                "claim_id",
                "paid_date",
                "claim_type",
                "service_type",
                "service_category",
                "icd_code",
                "medical_desc",
                "layman_term",
                AMOUNT_COLUMN,
                "medical_amount",
                "pharmacy_amount",
                "total_amount",
            ],
        ),
        Table::Budgets => {
            (&["client_id", "year", "month", "budget_medical", "budget_pharmacy", "budget_admin"], &["total_budget"])
        }
        Table::Enrollments => (&["client_id", "year", "month", "member_count", "employee_count"], &[]),
        Table::AdminFees => (&["client_id", "year", "month", "amount"], &["fee_type"]),
        Table::Rebates => (&["client_id", "period", "amount", "rebate_type"], &[]),
        Table::StopLossReimbursements => {
            (&["client_id", "amount", "paid_date"], &["claim_id", "claimant_id", "carrier"])
        }
        Table::EligibilitySpans => (&["client_id", "member_id", "subscriber_id", "start_date", "end_date"], &[]),
        Table::BudgetRates => (
            &["client_id", "year", "month", "budget_medical_pepm", "budget_pharmacy_pepm", "budget_admin_pepm"],
            &["budget_pepm"],
        ),
    }
}

/// How well a header names a column: 1.0 for a known spelling, else the
/// Jaro-Winkler similarity to the nearest spelling (kept when >= 0.88).
fn score(column: &str, header: &str) -> f64 {
    let key = header_key(header);
    let names = synonyms(column);
    if key == header_key(column) || names.contains(&key.as_str()) {
        return 1.0;
    }
    let best = names.iter().map(|n| strsim::jaro_winkler(&key, n)).fold(0.0, f64::max);
    if best >= 0.88 {
        (best * 0.9 * 100.0).round() / 100.0
    } else {
        0.0
    }
}

/// Assigns headers to columns, best score first, each header once.
fn assign(columns: &[&str], headers: &[String]) -> BTreeMap<String, (usize, f64)> {
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (ci, column) in columns.iter().enumerate() {
        for (hi, header) in headers.iter().enumerate() {
            let s = score(column, header);
            if s > 0.0 {
                candidates.push((s, ci, hi));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut used_c, mut used_h) = (BTreeSet::new(), BTreeSet::new());
    let mut out = BTreeMap::new();
    for (s, ci, hi) in candidates {
        if used_c.contains(&ci) || used_h.contains(&hi) {
            continue;
        }
        used_c.insert(ci);
        used_h.insert(hi);
        out.insert(columns[ci].to_string(), (hi, s));
    }
    out
}

fn guess_table(headers: &[String]) -> Table {
    let mut best = (Table::Claims, -1.0f64);
    for table in Table::STORED {
        let (required, optional) = table_columns(table);
        let all: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
        let found = assign(&all, headers);
        let req_found = required.iter().filter(|c| found.contains_key(**c)).count() as f64;
        let fit = req_found / required.len() as f64 + 0.01 * found.len() as f64;
        if fit > best.1 {
            best = (table, fit);
        }
    }
    best.0
}

fn canonical_type(value: &str) -> Option<&'static str> {
    match value.trim().to_ascii_uppercase().as_str() {
        "MED" | "M" | "MEDICAL" | "MD" | "HOSPITAL" | "PROF" => Some("medical"),
        "RX" | "P" | "PHARMACY" | "PHARM" | "DRUG" | "DRUGS" | "PBM" => Some("pharmacy"),
        "ADMIN" | "A" | "ADM" | "FEE" | "ADMINISTRATIVE" => Some("admin"),
        _ => None,
    }
}

/// Proposes a profile from headers and sample rows.
pub fn suggest_mapping(headers: &[String], sample_rows: &[Vec<String>], table: Option<Table>) -> MappingProfile {
    let table = table.unwrap_or_else(|| guess_table(headers));
    let (required, optional) = table_columns(table);
    let all: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
    let mut found = assign(&all, headers);
    let mut profile = MappingProfile { table: Some(table.model_table()), ..MappingProfile::default() };
    let values = |hi: usize| sample_rows.iter().filter_map(move |r| r.get(hi).map(String::as_str));

    if table == Table::Claims {
        let separate = found.contains_key("medical_amount") || found.contains_key("pharmacy_amount");
        if separate {
            found.remove(AMOUNT_COLUMN);
        } else if !found.contains_key(AMOUNT_COLUMN) {
            if let Some(total) = found.remove("total_amount") {
                found.insert(AMOUNT_COLUMN.to_string(), total);
            }
        }
        if found.contains_key(AMOUNT_COLUMN) {
            match found.get("claim_type") {
                None => profile.needs_decision.push(format!(
                    "column claim_type: the one amount column '{}' needs a claim type; map a type column or set \"constants\": {{\"claim_type\": \"medical\"}}",
                    headers[found[AMOUNT_COLUMN].0]
                )),
                Some((hi, _)) => {
                    let mut map = BTreeMap::new();
                    let mut unknown = BTreeSet::new();
                    for v in values(*hi) {
                        let v = v.trim();
                        if v.is_empty() || map.contains_key(v) {
                            continue;
                        }
                        match canonical_type(v) {
                            Some(t) if !v.eq_ignore_ascii_case(t) => {
                                map.insert(v.to_string(), t.to_string());
                            }
                            Some(_) => {}
                            None => {
                                unknown.insert(v.to_string());
                            }
                        }
                    }
                    if !map.is_empty() {
                        profile.value_maps.insert("claim_type".into(), map);
                    }
                    if !unknown.is_empty() {
                        profile.needs_decision.push(format!(
                            "column claim_type ('{}'): values {} are not known; add them to \"value_maps\".claim_type as medical, pharmacy or admin",
                            headers[*hi],
                            unknown.iter().map(|u| format!("'{u}'")).collect::<Vec<_>>().join(", ")
                        ));
                    }
                }
            }
        }
        for money in ["medical_amount", "pharmacy_amount"] {
            if let Some((hi, _)) = found.get(money) {
                if values(*hi).any(|v| v.trim().is_empty()) {
                    profile.blank_as_zero.push(money.to_string());
                }
            }
        }
    }

    // Dates: say so when a slash column fits both orders.
    let mut evidence = SlashEvidence::default();
    let mut date_headers = Vec::new();
    for column in ["claim_date", "paid_date"] {
        if let Some((hi, _)) = found.get(column) {
            date_headers.push(headers[*hi].clone());
            for v in values(*hi) {
                if let Ok(CellDate::Slash { first, second, year }) = dates::parse_auto(v) {
                    evidence.observe(first, second, year);
                }
            }
        }
    }
    match evidence.resolve(&date_headers.join("/")) {
        Ok(dates::SlashOrder::DayFirst) => profile.date_format = Some("%d/%m/%Y".into()),
        Ok(dates::SlashOrder::MonthFirst) => {}
        Err(message) => profile.needs_decision.push(message),
    }

    for column in required {
        if !found.contains_key(*column) {
            let hint = if *column == "client_id" { " or pass the client with --client / \"constants\"" } else { "" };
            profile
                .needs_decision
                .push(format!("column {column}: no header looks like it; map it in \"columns\"{hint}"));
        }
    }
    for (column, (hi, s)) in found {
        let header = headers[hi].clone();
        if header != column {
            profile.columns.insert(column.clone(), HeaderSpec::One(header));
        }
        profile.confidence.insert(column, s);
    }
    profile
}

/// Reads a CSV file's header and first 200 records, then suggests.
pub fn suggest_from_csv(bytes: &[u8], table: Option<Table>, source_name: &str) -> Result<MappingProfile> {
    let text = source::read_csv(bytes, None, None, source_name)?;
    let sample: Vec<Vec<String>> =
        text.records.iter().take(200).map(|r| r.fields.iter().map(str::to_string).collect()).collect();
    let mut profile = suggest_mapping(&text.headers, &sample, table);
    if text.delimiter != "," {
        profile.delimiter = Some(text.delimiter.clone());
    }
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn common_carrier_headers() {
        let headers = h(&[
            "Group Number",
            "Claim Number",
            "Member ID",
            "Incurred Date",
            "Paid Date",
            "Dx Code",
            "Svc Category",
            "Type",
            "Paid Amt",
        ]);
        let rows = vec![
            h(&["ACME", "C1", "M1", "01/31/2025", "02/15/2025", "E11.9", "Office", "MED", "$1,234.56"]),
            h(&["ACME", "C2", "M2", "02/03/2025", "02/20/2025", "", "Drugs", "RX", "(12.00)"]),
        ];
        let p = suggest_mapping(&headers, &rows, None);
        assert_eq!(p.table, Some(Table::Claims));
        assert_eq!(p.columns.get("claimant_id"), Some(&HeaderSpec::One("Member ID".into())));
        assert_eq!(p.columns.get("client_id"), Some(&HeaderSpec::One("Group Number".into())));
        assert_eq!(p.columns.get("icd_code"), Some(&HeaderSpec::One("Dx Code".into())));
        assert_eq!(p.columns.get("service_category"), Some(&HeaderSpec::One("Svc Category".into())));
        assert_eq!(p.columns.get(AMOUNT_COLUMN), Some(&HeaderSpec::One("Paid Amt".into())));
        assert_eq!(p.value_maps["claim_type"]["RX"], "pharmacy");
        assert_eq!(p.value_maps["claim_type"]["MED"], "medical");
        assert!(p.needs_decision.is_empty(), "{:?}", p.needs_decision);
        assert_eq!(p.confidence["claimant_id"], 1.0);
    }

    #[test]
    fn says_which_column_needs_a_decision() {
        let headers = h(&["Member ID", "Service Date", "Paid Amt", "Client"]);
        let rows = vec![h(&["M1", "03/04/2025", "10.00", "A"]), h(&["M2", "05/06/2025", "12.00", "A"])];
        let p = suggest_mapping(&headers, &rows, Some(Table::Claims));
        let all = p.needs_decision.join("\n");
        assert!(all.contains("claim_type"), "{all}");
        assert!(all.contains("date_format"), "{all}");
    }
}
