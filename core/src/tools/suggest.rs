//! `suggest_mapping`: a profile proposed from a carrier export's headers and
//! a sample of its values, with a confidence per column and one line per
//! decision the user still has to make.

use std::collections::{BTreeMap, BTreeSet};

use crate::load::columns::header_key;
use crate::load::mapping::{HeaderSpec, MappingProfile, AMOUNT_COLUMN};
use crate::model::dates::{self, CellDate, SlashEvidence};
use crate::model::error::Result;
use crate::model::money;
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
        "medical_desc" => &[
            "medicaldesc",
            "medicaldescription",
            "diagnosisdescription",
            "diagnosisdesc",
            "dxdescription",
            "icddescription",
            "icd10description",
            "icddesc",
            "dxdesc",
            "diagnosisname",
            "description",
        ],
        "layman_term" => &[
            "laymanterm",
            "layman",
            "layterm",
            "laydescription",
            "plaindescription",
            "plainlanguage",
            "diagnosisplainlanguage",
            "plainlanguagediagnosis",
            "plainname",
            "consumerdescription",
            "commonname",
            "condition",
            "conditionname",
        ],
        AMOUNT_COLUMN => &[
            "paidamt",
            "paidamount",
            "amount",
            "amt",
            "amtpaid",
            "paid",
            "netpaid",
            "planpaid",
            "paid$",
            "claimamount",
            "netamount",
            "checkamount",
            "rebateamt",
            "rebateamount",
            "rebate",
            "reimbursement",
            "reimbursementamount",
            "reimbursed",
            "feeamount",
            "feeamt",
            "amountbilled",
            "billedfee",
        ],
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
        "fee_type" => &["feetype", "fee", "feedescription", "admintype", "feename", "description"],
        "period" => &["period", "rebateperiod", "quarter", "rebatequarter"],
        "rebate_type" => &["rebatetype", "type", "rebatesource", "source"],
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

/// Spellings that name a column less surely than `synonyms` (an export
/// with both "Allowed" and "Paid" columns reports what was paid).
fn weaker_synonyms(column: &str) -> &'static [&'static str] {
    match column {
        AMOUNT_COLUMN => &["allowed", "allowedamount", "allowedamt"],
        _ => &[],
    }
}

/// Parts of a header that say which column it is when no spelling
/// matches ("Diagnosis (Plain Language)", "Total Reimbursed $").
fn header_hints(column: &str) -> &'static [&'static str] {
    match column {
        "layman_term" => &["plain", "layman", "layterm"],
        "medical_desc" => &["desc"],
        AMOUNT_COLUMN => &["amount", "amt", "paid", "reimburs"],
        _ => &[],
    }
}

/// A header with only its letters and digits, lower case.
fn letters_key(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// How well a header names a column: 1.0 for a known spelling, else the
/// Jaro-Winkler similarity to the nearest spelling (kept when >= 0.88),
/// else 0.8 when it holds a telling part.
fn score(column: &str, header: &str) -> f64 {
    let (key, letters) = (header_key(header), letters_key(header));
    let names = synonyms(column);
    if key == header_key(column) || names.contains(&key.as_str()) || names.contains(&letters.as_str()) {
        return 1.0;
    }
    if weaker_synonyms(column).contains(&letters.as_str()) {
        return 0.9;
    }
    let best = names.iter().map(|n| strsim::jaro_winkler(&key, n)).fold(0.0, f64::max);
    if best >= 0.88 {
        (best * 0.9 * 100.0).round() / 100.0
    } else if header_hints(column).iter().any(|hint| letters.contains(hint)) {
        0.8
    } else {
        0.0
    }
}

/// What a column's cells are, judged on every non-blank cell given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Blank,
    Date,
    WholeNumber,
    Money,
    Text,
}

/// The share of non-blank cells that must fit a kind (a stray "N/A" does
/// not make a date column text).
const KIND_SHARE: f64 = 0.98;

/// Rows a column's kind is judged on, spread evenly over the file (every
/// row of a smaller file): parsing each cell of a 5M-line export as a date
/// and an amount took twice as long as reading it.
const KIND_ROWS: usize = 20_000;

fn cell_kind<'c>(cells: impl Iterator<Item = &'c str>) -> CellKind {
    let (mut filled, mut dates, mut whole, mut money) = (0usize, 0usize, 0usize, 0usize);
    for cell in cells.map(str::trim).filter(|c| !c.is_empty()) {
        filled += 1;
        dates += usize::from(dates::parse_auto(cell).is_ok());
        if money::parse_cents(cell).is_ok() {
            money += 1;
            whole += usize::from(cell.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b','));
        }
    }
    let most = |n: usize| n as f64 >= KIND_SHARE * filled as f64;
    match filled {
        0 => CellKind::Blank,
        _ if most(dates) => CellKind::Date,
        _ if most(whole) => CellKind::WholeNumber,
        _ if most(money) => CellKind::Money,
        _ => CellKind::Text,
    }
}

/// Whether cells of this kind can fill the column (a "Paid" column of
/// amounts is not paid_date, a "Paid" column of dates is not the amount).
fn kind_fits(column: &str, kind: CellKind) -> bool {
    use CellKind::*;
    match column {
        "claim_date" | "paid_date" | "start_date" | "end_date" => matches!(kind, Date | Blank),
        "year" | "month" | "member_count" | "employee_count" => matches!(kind, WholeNumber | Blank),
        // Codes may be numbers ("10" for a category), never dates or money.
        "claim_type" | "rebate_type" | "fee_type" | "carrier" | "service_type" | "service_category"
        | "medical_desc" | "layman_term" => !matches!(kind, Date | Money),
        _ if is_money(column) => matches!(kind, Money | WholeNumber | Blank),
        _ => true,
    }
}

fn is_money(column: &str) -> bool {
    matches!(column, AMOUNT_COLUMN | "medical_amount" | "pharmacy_amount" | "total_amount" | "total_budget")
        || column.starts_with("budget_")
}

/// Assigns headers to columns, best score first, each header once; a
/// header whose cells cannot fill a column is never its candidate.
fn assign(columns: &[&str], headers: &[String], kinds: &[CellKind]) -> BTreeMap<String, (usize, f64)> {
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (ci, column) in columns.iter().enumerate() {
        for (hi, header) in headers.iter().enumerate() {
            let s = score(column, header);
            if s > 0.0 && kinds.get(hi).is_none_or(|&k| kind_fits(column, k)) {
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

fn guess_table(headers: &[String], kinds: &[CellKind]) -> Table {
    let mut best = (Table::Claims, -1.0f64);
    for table in Table::STORED {
        let (required, optional) = table_columns(table);
        let all: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
        let found = assign(&all, headers, kinds);
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

/// A record of the file being looked at.
pub trait SampleRow {
    fn cell(&self, i: usize) -> Option<&str>;
}

impl SampleRow for Vec<String> {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i).map(String::as_str)
    }
}

impl SampleRow for csv::StringRecord {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i)
    }
}

impl<T: SampleRow + ?Sized> SampleRow for &T {
    fn cell(&self, i: usize) -> Option<&str> {
        (**self).cell(i)
    }
}

/// The canonical values of the columns that take one of a few, with the
/// table they belong to.
fn enumerated_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Claims => &["claim_type"],
        Table::Rebates => &["rebate_type"],
        _ => &[],
    }
}

/// A value map for an enumerated column from every value it holds: each
/// spelling that names a canonical value ("Rx", "Medical", "MED"), and the
/// values nothing names.
fn propose_value_map<'c>(cells: impl Iterator<Item = &'c str>) -> (BTreeMap<String, String>, BTreeSet<String>) {
    let mut map = BTreeMap::new();
    let mut unknown = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for v in cells.map(str::trim).filter(|v| !v.is_empty()) {
        if !seen.insert(v) {
            continue;
        }
        match canonical_type(v) {
            Some(t) if v != t => {
                map.insert(v.to_string(), t.to_string());
            }
            Some(_) => {}
            None => {
                unknown.insert(v.to_string());
            }
        }
    }
    (map, unknown)
}

/// Proposes a profile from headers and rows (all of them, or a sample
/// spread across the file): the date order and value maps are judged on
/// every row given, each column's kind on up to KIND_ROWS of them.
pub fn suggest_mapping<R: SampleRow>(headers: &[String], rows: &[R], table: Option<Table>) -> MappingProfile {
    let values = |hi: usize| rows.iter().filter_map(move |r| r.cell(hi));
    let spread = rows.len().div_ceil(KIND_ROWS).max(1);
    let kinds: Vec<CellKind> =
        (0..headers.len()).map(|hi| cell_kind(rows.iter().step_by(spread).filter_map(|r| r.cell(hi)))).collect();
    let table = table.unwrap_or_else(|| guess_table(headers, &kinds));
    let (required, optional) = table_columns(table);
    let all: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
    let mut found = assign(&all, headers, &kinds);
    let mut profile = MappingProfile { table: Some(table.model_table()), ..MappingProfile::default() };

    if table == Table::Claims {
        let separate = found.contains_key("medical_amount") || found.contains_key("pharmacy_amount");
        if separate {
            found.remove(AMOUNT_COLUMN);
        } else if !found.contains_key(AMOUNT_COLUMN) {
            if let Some(total) = found.remove("total_amount") {
                found.insert(AMOUNT_COLUMN.to_string(), total);
            }
        }
    }
    // An amount no header names: the one column of money left, by its values.
    let needs_amount = required.contains(&AMOUNT_COLUMN)
        || (table == Table::Claims && !found.contains_key("medical_amount") && !found.contains_key("pharmacy_amount"));
    if needs_amount && !found.contains_key(AMOUNT_COLUMN) {
        let taken: BTreeSet<usize> = found.values().map(|(hi, _)| *hi).collect();
        let money: Vec<usize> =
            (0..headers.len()).filter(|hi| !taken.contains(hi) && kinds[*hi] == CellKind::Money).collect();
        match money.as_slice() {
            [one] => drop(found.insert(AMOUNT_COLUMN.to_string(), (*one, 0.7))),
            [] => {}
            several => profile.needs_decision.push(format!(
                "column amount: {} all hold amounts; map the one to use in \"columns\"",
                several.iter().map(|hi| format!("'{}'", headers[*hi])).collect::<Vec<_>>().join(", ")
            )),
        }
    }
    if table == Table::Claims && found.contains_key(AMOUNT_COLUMN) && !found.contains_key("claim_type") {
        profile.needs_decision.push(format!(
            "column claim_type: the one amount column '{}' needs a claim type; map a type column or set \"constants\": {{\"claim_type\": \"medical\"}}",
            headers[found[AMOUNT_COLUMN].0]
        ));
    }
    for column in enumerated_columns(table) {
        if let Some((hi, _)) = found.get(*column) {
            let (map, unknown) = propose_value_map(values(*hi));
            if !map.is_empty() {
                profile.value_maps.insert(column.to_string(), map);
            }
            if !unknown.is_empty() {
                profile.needs_decision.push(format!(
                    "column {column} ('{}'): values {} are not known; add them to \"value_maps\".{column} as medical, pharmacy or admin",
                    headers[*hi],
                    unknown.iter().map(|u| format!("'{u}'")).collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    if table == Table::Claims {
        for money in ["medical_amount", "pharmacy_amount"] {
            if let Some((hi, _)) = found.get(money) {
                if values(*hi).any(|v| v.trim().is_empty()) {
                    profile.blank_as_zero.push(money.to_string());
                }
            }
        }
    }

    // Dates: the order of slash dates from every row; say so when every
    // one fits both.
    let mut evidence = SlashEvidence::default();
    let mut date_headers = Vec::new();
    let (mut slash, mut other_forms) = (0usize, 0usize);
    for column in ["claim_date", "paid_date", "start_date", "end_date"] {
        if let Some((hi, _)) = found.get(column) {
            date_headers.push(headers[*hi].clone());
            for v in values(*hi).filter(|v| !v.trim().is_empty()) {
                match dates::parse_auto(v) {
                    Ok(CellDate::Slash { first, second, year }) => {
                        evidence.observe(first, second, year);
                        slash += 1;
                    }
                    _ => other_forms += 1,
                }
            }
        }
    }
    // The order the rows prove, written out when every date is a slash date
    // (a format would refuse the other forms).
    match evidence.resolve(&date_headers.join("/")) {
        Ok(order) if slash > 0 && other_forms == 0 => {
            profile.date_format =
                Some(if order == dates::SlashOrder::DayFirst { "%d/%m/%Y" } else { "%m/%d/%Y" }.into())
        }
        Ok(_) => {}
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

/// Reads a CSV file (every record: the date order and the value maps are
/// judged on whole columns), then suggests.
pub fn suggest_from_csv(bytes: &[u8], table: Option<Table>, source_name: &str) -> Result<MappingProfile> {
    let text = source::read_csv(bytes, None, None, source_name)?;
    let rows: Vec<&csv::StringRecord> = text.records.iter().map(|r| &r.fields).collect();
    let mut profile = suggest_mapping(&text.headers, &rows, table);
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
    fn values_decide_between_a_paid_amount_and_a_paid_date_and_paid_wins_over_allowed() {
        let headers = h(&["Account", "Member", "DOS", "Allowed", "Paid", "Paid Date", "Type"]);
        let rows = vec![
            h(&["A", "M1", "20250103", "150.00", "120.00", "20250120", "M"]),
            h(&["A", "M2", "20250131", "80.00", "64.50", "20250215", "P"]),
        ];
        let p = suggest_mapping(&headers, &rows, Some(Table::Claims));
        assert_eq!(p.columns.get(AMOUNT_COLUMN), Some(&HeaderSpec::One("Paid".into())));
        assert_eq!(p.columns.get("paid_date"), Some(&HeaderSpec::One("Paid Date".into())));
        assert_eq!(p.value_maps["claim_type"]["M"], "medical");
        assert!(p.needs_decision.is_empty(), "{:?}", p.needs_decision);
        // Without a header naming it, the one column of money is the amount.
        let headers = h(&["Account", "Member", "DOS", "Type", "USD"]);
        let rows =
            vec![h(&["A", "M1", "01/31/2025", "RX", "$1,200.00"]), h(&["A", "M1", "02/01/2025", "MED", "(5.00)"])];
        let p = suggest_mapping(&headers, &rows, Some(Table::Claims));
        assert_eq!(p.columns.get(AMOUNT_COLUMN), Some(&HeaderSpec::One("USD".into())));
        assert_eq!(p.confidence[AMOUNT_COLUMN], 0.7);
        assert_eq!(p.date_format.as_deref(), Some("%m/%d/%Y"));
        // Counts written with thousands separators are whole numbers; codes may be numbers.
        let headers = h(&["Group", "Year", "Month", "Members", "Subscribers"]);
        let rows = vec![h(&["G1", "2025", "1", "1,204", "512"]), h(&["G1", "2025", "2", "1,198", "509"])];
        let p = suggest_mapping(&headers, &rows, Some(Table::Enrollments));
        assert_eq!(p.columns.get("member_count"), Some(&HeaderSpec::One("Members".into())));
        let headers = h(&["Group", "Member", "DOS", "Category", "Type", "Paid"]);
        let rows = vec![h(&["G1", "M1", "2025-01-03", "10", "MED", "5.00"])];
        let p = suggest_mapping(&headers, &rows, Some(Table::Claims));
        assert_eq!(p.columns.get("service_category"), Some(&HeaderSpec::One("Category".into())));
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
