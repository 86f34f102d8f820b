//! `claimscope generate`: realistic synthetic plans in the canonical CSV
//! files, deterministic per seed. Families of about 2.2 members per
//! employee, enrollment churn, lognormal costs by service category, ~35%
//! pharmacy lines, reversals, ICD-10-CM codes of every chapter plus a few
//! invalid ones, paid lag, catastrophic claimants, rebates, admin fees,
//! budgets near the realised cost, and stop-loss reimbursements linked by
//! claim_id and by claimant_id (and one whose claim_id matches nothing).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};

use chrono::{Datelike, NaiveDate};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};

use crate::model::error::{Error, Result};
use crate::model::period::{date_in_month, month_index, month_of, year_of, MonthIndex};
use crate::model::table::Table;

/// Real codes across the chapters, with descriptions and plain names.
const DIAGNOSES: &[(&str, &str, &str)] = &[
    ("A09", "Infectious gastroenteritis and colitis", "Stomach flu"),
    ("B349", "Viral infection, unspecified", "Viral infection"),
    ("C50911", "Malignant neoplasm of unsp site of right female breast", "Breast cancer"),
    ("C189", "Malignant neoplasm of colon, unspecified", "Colon cancer"),
    ("D649", "Anemia, unspecified", "Anemia"),
    ("E119", "Type 2 diabetes mellitus without complications", "Type 2 diabetes"),
    ("E785", "Hyperlipidemia, unspecified", "High cholesterol"),
    ("F329", "Major depressive disorder, single episode, unspecified", "Depression"),
    ("F411", "Generalized anxiety disorder", "Anxiety"),
    ("G4733", "Obstructive sleep apnea", "Sleep apnea"),
    ("H5213", "Myopia, bilateral", "Nearsightedness"),
    ("H6590", "Unspecified nonsuppurative otitis media", "Ear infection"),
    ("I10", "Essential (primary) hypertension", "High blood pressure"),
    ("I214", "Non-ST elevation myocardial infarction", "Heart attack"),
    ("J069", "Acute upper respiratory infection, unspecified", "Common cold"),
    ("J45909", "Unspecified asthma, uncomplicated", "Asthma"),
    ("K219", "Gastro-esophageal reflux disease without esophagitis", "Acid reflux"),
    ("L309", "Dermatitis, unspecified", "Skin rash"),
    ("M545", "Low back pain", "Low back pain"),
    ("M1711", "Unilateral primary osteoarthritis, right knee", "Knee arthritis"),
    ("N390", "Urinary tract infection, site not specified", "Urinary tract infection"),
    ("O800", "Encounter for full-term uncomplicated delivery", "Childbirth"),
    ("P0730", "Preterm newborn, unspecified weeks of gestation", "Premature birth"),
    ("Q210", "Ventricular septal defect", "Heart defect at birth"),
    ("R0789", "Other chest pain", "Chest pain"),
    ("R51", "Headache", "Headache"),
    ("S8290", "Unspecified fracture of unspecified lower leg", "Broken leg"),
    ("T783XXA", "Angioneurotic edema, initial encounter", "Allergic swelling"),
    ("W19XXXA", "Unspecified fall, initial encounter", "Fall"),
    ("Z0000", "Encounter for general adult medical exam", "Annual checkup"),
    ("Z23", "Encounter for immunization", "Vaccination"),
    ("U071", "COVID-19", "COVID-19"),
];

/// Procedures (CPT-style code and description) for carrier-shaped lines.
const PROCEDURES: &[(&str, &str)] = &[
    ("99213", "Office or other outpatient visit for the evaluation and management of an established patient, low level of medical decision making"),
    ("99214", "Office or other outpatient visit for the evaluation and management of an established patient, moderate level of medical decision making"),
    ("99203", "Office or other outpatient visit for the evaluation and management of a new patient, low level of medical decision making"),
    ("99284", "Emergency department visit for the evaluation and management of a patient, moderate level of medical decision making"),
    ("80053", "Comprehensive metabolic panel"),
    ("85025", "Blood count; complete (CBC), automated and automated differential WBC count"),
    ("83036", "Hemoglobin; glycosylated (A1C)"),
    ("71046", "Radiologic examination, chest; 2 views"),
    ("72148", "Magnetic resonance (eg, proton) imaging, spinal canal and contents, lumbar; without contrast material"),
    ("93000", "Electrocardiogram, routine ECG with at least 12 leads; with interpretation and report"),
    ("90834", "Psychotherapy, 45 minutes with patient"),
    ("90471", "Immunization administration (includes percutaneous, intradermal, subcutaneous, or intramuscular injections); 1 vaccine"),
    ("97110", "Therapeutic procedure, 1 or more areas, each 15 minutes; therapeutic exercises to develop strength and endurance, range of motion and flexibility"),
    ("29881", "Arthroscopy, knee, surgical; with meniscectomy (medial OR lateral, including any meniscal shaving)"),
    ("45378", "Colonoscopy, flexible; diagnostic, including collection of specimen(s) by brushing or washing, when performed"),
    ("59400", "Routine obstetric care including antepartum care, vaginal delivery (with or without episiotomy, and/or forceps) and postpartum care"),
    ("J3490", "Unclassified drugs"),
    ("99232", "Subsequent hospital inpatient or observation care, per day, for the evaluation and management of a patient, moderate level of medical decision making"),
];

/// Provider names for carrier-shaped lines.
const PROVIDERS: &[&str] = &[
    "Riverside Family Medicine Associates LLC",
    "St. Mary's Regional Medical Center",
    "Northside Imaging and Diagnostic Services",
    "Lakeview Orthopedic and Sports Medicine Group",
    "Community Behavioral Health Partners",
    "Quest Diagnostics Clinical Laboratories Inc",
    "Valley Emergency Physicians PC",
    "University Hospital Department of Internal Medicine",
    "Walgreens Specialty Pharmacy #04412",
    "CVS Pharmacy #10234",
    "Summit Physical Therapy and Rehabilitation",
    "Greenfield Pediatrics and Adolescent Medicine",
];

/// Invalid codes carriers still send (ICD-9, junk).
const INVALID_CODES: &[&str] = &["25000", "UNK", "4019"];

/// Medical service categories: (name, service type, lognormal mu, sigma, weight).
const CATEGORIES: &[(&str, &str, f64, f64, u32)] = &[
    ("Office Visit", "Office Visit", 4.9, 0.5, 40),
    ("Lab & Imaging", "Radiology", 5.0, 0.9, 20),
    ("Outpatient", "Outpatient Surgery", 7.2, 0.9, 12),
    ("Emergency Room", "ER Visit", 7.4, 0.7, 6),
    ("Inpatient", "Inpatient Stay", 9.4, 0.8, 3),
    ("Behavioral Health", "Therapy Session", 4.8, 0.4, 8),
    ("Preventive", "Wellness Exam", 5.3, 0.3, 10),
];

/// The files a generated plan has, with the canonical table each loads into.
pub const PLAN_FILES: [(Table, &str); 6] = [
    (Table::Claims, "claims.csv"),
    (Table::Budgets, "budgets.csv"),
    (Table::Enrollments, "enrollment.csv"),
    (Table::AdminFees, "admin_fees.csv"),
    (Table::Rebates, "rebates.csv"),
    (Table::StopLossReimbursements, "stop_loss.csv"),
];

/// What to generate.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    pub members: u32,
    pub months: u32,
    pub seed: u64,
    pub clients: u32,
    pub start: MonthIndex,
    /// Claims lines carry a carrier export's extra columns (procedure,
    /// provider) and longer descriptions; figures are the same either way.
    pub carrier_columns: bool,
}

struct Member {
    id: String,
    subscriber: u32,
    first: MonthIndex,
    last: MonthIndex,
}

pub(crate) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

fn day_string(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn io(path: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

impl PlanSpec {
    pub fn new(members: u32, months: u32, seed: u64, clients: u32, start: &str) -> Result<PlanSpec> {
        let bad = |m: &str| Err(Error::argument(m.to_string()));
        if members == 0 || months == 0 || clients == 0 {
            return bad("--members, --months and --clients must be at least 1");
        }
        if months > 600 {
            return bad("--months is at most 600");
        }
        let period = crate::model::period::Period::parse(start, |_| Ok(None))
            .map_err(|_| Error::argument(format!("--start '{start}' is not a month; expected YYYY-MM")))?;
        if period.first != period.last {
            return bad("--start must be one month, YYYY-MM");
        }
        Ok(PlanSpec { members, months, seed, clients, start: period.first, carrier_columns: false })
    }

    /// The same plan with (or without) a carrier export's extra claims columns.
    pub fn with_carrier_columns(mut self, on: bool) -> PlanSpec {
        self.carrier_columns = on;
        self
    }

    /// Writes the files of [`PLAN_FILES`] into `out`; returns their paths.
    pub fn write(&self, out: &str) -> Result<Vec<String>> {
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let path = |name: &str| format!("{}/{name}", out.trim_end_matches('/'));
        let names = PLAN_FILES.map(|(_, name)| name);
        let open = |name: &str| -> Result<BufWriter<File>> {
            let p = path(name);
            Ok(BufWriter::with_capacity(1 << 20, File::create(&p).map_err(io(&p))?))
        };
        let (mut claims, mut budgets, mut enrollment) = (open(names[0])?, open(names[1])?, open(names[2])?);
        let (mut admin, mut rebates, mut stop_loss) = (open(names[3])?, open(names[4])?, open(names[5])?);
        let p = path("claims.csv");
        let extra = if self.carrier_columns { ",procedure_code,provider_npi,provider_name" } else { "" };
        writeln!(claims, "client_id,claim_id,claimant_id,claim_date,paid_date,claim_type,service_type,service_category,icd_code,medical_desc,layman_term,medical_amount,pharmacy_amount,total_amount{extra}").map_err(io(&p))?;
        writeln!(budgets, "client_id,year,month,budget_medical,budget_pharmacy,budget_admin,total_budget")
            .map_err(io(&p))?;
        writeln!(enrollment, "client_id,year,month,member_count,employee_count").map_err(io(&p))?;
        writeln!(admin, "client_id,year,month,amount,fee_type").map_err(io(&p))?;
        writeln!(rebates, "client_id,period,amount,rebate_type").map_err(io(&p))?;
        writeln!(stop_loss, "client_id,claim_id,claimant_id,amount,paid_date,carrier").map_err(io(&p))?;
        for c in 0..self.clients {
            let share = self.members / self.clients + u32::from(c < self.members % self.clients);
            self.write_client(
                c,
                share,
                &mut claims,
                &mut budgets,
                &mut enrollment,
                &mut admin,
                &mut rebates,
                &mut stop_loss,
            )
            .map_err(io(&p))?;
        }
        for f in [&mut claims, &mut budgets, &mut enrollment, &mut admin, &mut rebates, &mut stop_loss] {
            f.flush().map_err(io(&p))?;
        }
        Ok(names.iter().map(|n| path(n)).collect())
    }

    #[allow(clippy::too_many_arguments)]
    fn write_client(
        &self,
        c: u32,
        members: u32,
        claims: &mut impl Write,
        budgets: &mut impl Write,
        enrollment: &mut impl Write,
        admin: &mut impl Write,
        rebates: &mut impl Write,
        stop_loss: &mut impl Write,
    ) -> std::io::Result<()> {
        let mut rng = SmallRng::seed_from_u64(self.seed.wrapping_mul(1_000_003).wrapping_add(u64::from(c)));
        let client = format!("CLIENT{:02}", c + 1);
        let (first, last) = (self.start, self.start + self.months as i32 - 1);

        // Families: an employee and 0..4 dependents (mean about 2.2 members).
        let mut people: Vec<Member> = Vec::with_capacity(members as usize);
        let mut subscriber = 0u32;
        while people.len() < members as usize {
            subscriber += 1;
            let size = match rng.gen_range(0..100) {
                0..=44 => 1,
                45..=64 => 2,
                65..=79 => 3,
                80..=93 => 4,
                _ => 5,
            };
            let joins = if rng.gen_bool(0.85) { first } else { rng.gen_range(first..=last) };
            let leaves = if rng.gen_bool(0.1) { rng.gen_range(joins..=last) } else { last };
            for _ in 0..size.min(members as usize - people.len()) {
                let id = format!("{}-M{:07}", &client[6..], people.len() + 1);
                people.push(Member { id, subscriber, first: joins, last: leaves });
            }
        }

        let lines = Poisson::new(0.95).map_err(std::io::Error::other)?;
        let weights: u32 = CATEGORIES.iter().map(|c| c.4).sum();
        let dists: Vec<LogNormal<f64>> = CATEGORIES.iter().filter_map(|c| LogNormal::new(c.2, c.3).ok()).collect();
        let rx = LogNormal::new(4.2, 1.1).map_err(std::io::Error::other)?;
        let mut claim_no = 0u64;
        let mut pharmacy_by_quarter: BTreeMap<(i32, u32), i64> = BTreeMap::new();
        // Per member and calendar year: total and the largest claim.
        let mut yearly: BTreeMap<(usize, i32), (i64, String, i64)> = BTreeMap::new();
        // About 1 in 250 members is catastrophic (at least one per client),
        // each with their own share of months holding a large inpatient claim.
        let wanted = (people.len() / 250).max(1);
        let mut catastrophic: Vec<(usize, f64)> =
            (0..wanted).map(|_| (rng.gen_range(0..people.len()), rng.gen_range(0.2..0.45))).collect();
        catastrophic.sort_by_key(|c| c.0);
        catastrophic.dedup_by_key(|c| c.0);

        for m in first..=last {
            let (year, month) = (year_of(m), month_of(m));
            let days_in_month = days_in(year, month);
            for (pi, person) in people.iter().enumerate() {
                if m < person.first || m > person.last {
                    continue;
                }
                let mut n = lines.sample(&mut rng) as u32;
                let big = match catastrophic.binary_search_by_key(&pi, |c| c.0) {
                    Ok(at) => rng.gen_bool(catastrophic[at].1),
                    Err(_) => false,
                };
                if big {
                    n += 1;
                }
                for line in 0..n {
                    claim_no += 1;
                    let claim_id = format!("{}-{claim_no:09}", &client[6..]);
                    let day = rng.gen_range(1..=days_in_month);
                    let date = NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
                    let paid = date + chrono::Duration::days(rng.gen_range(5..90));
                    let pharmacy = !(big && line == 0) && rng.gen_bool(0.35);
                    let (category, service, cents) = if big && line == 0 {
                        ("Inpatient", "Inpatient Stay", rng.gen_range(6_000_000..18_000_000))
                    } else if pharmacy {
                        ("Pharmacy", "Retail Pharmacy", (rx.sample(&mut rng) * 100.0) as i64 + 500)
                    } else {
                        let mut pick = rng.gen_range(0..weights);
                        let mut at = 0;
                        while pick >= CATEGORIES[at].4 {
                            pick -= CATEGORIES[at].4;
                            at += 1;
                        }
                        (CATEGORIES[at].0, CATEGORIES[at].1, (dists[at].sample(&mut rng) * 100.0) as i64 + 100)
                    };
                    let category = if rng.gen_bool(0.02) { "" } else { category };
                    let (code, desc, term) = match rng.gen_range(0..100) {
                        0 => (INVALID_CODES[rng.gen_range(0..INVALID_CODES.len())], "", ""),
                        1..=4 if pharmacy => ("", "", ""),
                        _ => {
                            let d = DIAGNOSES[rng.gen_range(0..DIAGNOSES.len())];
                            (d.0, d.1, d.2)
                        }
                    };
                    let (med, rxc) = if pharmacy { (0, cents) } else { (cents, 0) };
                    let kind = if pharmacy { "pharmacy" } else { "medical" };
                    let (ds, ps) = (day_string(date), day_string(paid));
                    // Picked from the claim number, not the random stream: the same plan either way.
                    let (desc, extra) = if self.carrier_columns {
                        let (procedure, what) = PROCEDURES[(claim_no as usize * 7 + pi) % PROCEDURES.len()];
                        let provider = (claim_no as usize * 13 + pi * 3) % PROVIDERS.len();
                        let desc = if desc.is_empty() { String::new() } else { format!("{desc}; {what}") };
                        let npi = 1_003_000_000 + provider as u64 * 7_919;
                        (desc, format!(",{procedure},{npi},\"{}\"", PROVIDERS[provider]))
                    } else {
                        (desc.to_string(), String::new())
                    };
                    writeln!(claims, "{client},{claim_id},{},{ds},{ps},{kind},{service},{category},{code},\"{desc}\",{term},{},{},{}{extra}", person.id, money(med), money(rxc), money(cents))?;
                    if rng.gen_bool(0.02) {
                        let adj = day_string(paid + chrono::Duration::days(rng.gen_range(10..40)));
                        writeln!(claims, "{client},{claim_id},{},{ds},{adj},{kind},{service},{category},{code},\"{desc}\",{term},{},{},{}{extra}", person.id, money(-med), money(-rxc), money(-cents))?;
                    } else {
                        let entry = yearly.entry((pi, year)).or_insert((0, String::new(), 0));
                        entry.0 += cents;
                        if cents > entry.2 || entry.1.is_empty() {
                            entry.1 = claim_id.clone();
                            entry.2 = cents;
                        }
                    }
                    if pharmacy {
                        *pharmacy_by_quarter.entry((year, (month - 1) / 3 + 1)).or_default() += 1;
                    }
                }
            }
            let active: Vec<&Member> = people.iter().filter(|p| m >= p.first && m <= p.last).collect();
            let member_count = active.len() as i64;
            let mut subs: Vec<u32> = active.iter().map(|p| p.subscriber).collect();
            subs.dedup();
            let employee_count = subs.len() as i64;
            writeln!(enrollment, "{client},{year},{month},{member_count},{employee_count}")?;
            let bm = member_count * rng.gen_range(45_000..52_000);
            let bp = member_count * rng.gen_range(3_000..4_000);
            let ba = employee_count * 9_500;
            writeln!(
                budgets,
                "{client},{year},{month},{},{},{},{}",
                money(bm),
                money(bp),
                money(ba),
                money(bm + bp + ba)
            )?;
            writeln!(admin, "{client},{year},{month},{},TPA", money(employee_count * 3_500))?;
            writeln!(admin, "{client},{year},{month},{},stop-loss premium", money(employee_count * 6_000))?;
        }
        for ((year, quarter), count) in &pharmacy_by_quarter {
            writeln!(rebates, "{client},{year}-Q{quarter},{},pharmacy", money(count * 1_250 + 1))?;
        }
        let years: std::collections::BTreeSet<i32> = (first..=last).map(year_of).collect();
        for year in &years {
            writeln!(rebates, "{client},{year},{},admin", money(500_000))?;
        }
        // Specific stop-loss at $100,000 per claimant per calendar year.
        let mut by_claim = true;
        for ((pi, year), (total, claim_id, _)) in &yearly {
            let excess = total - 10_000_000;
            if excess <= 0 {
                continue;
            }
            let paid = NaiveDate::from_ymd_opt(*year, 12, 15).unwrap_or_default();
            if by_claim {
                writeln!(stop_loss, "{client},{claim_id},,{},{},Summit Re", money(excess), day_string(paid))?;
            } else {
                writeln!(stop_loss, "{client},,{},{},{},Summit Re", people[*pi].id, money(excess), day_string(paid))?;
            }
            by_claim = !by_claim;
        }
        let last_day = date_in_month(last, 10).unwrap_or_default();
        writeln!(stop_loss, "{client},NO-SUCH-CLAIM,,1500.00,{},Summit Re", day_string(last_day))?;
        Ok(())
    }
}

fn days_in(year: i32, month: u32) -> u32 {
    let next = month_index(year, month) + 1;
    let first_next = date_in_month(next, 1).unwrap_or_default();
    first_next.pred_opt().map_or(28, |d| d.day())
}
