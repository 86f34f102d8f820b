//! Two messy exports with known true pairs, for testing and measuring the
//! matcher: a practice's point-of-sale transactions (left) and a rewards
//! program's redemptions (right). Names are reformatted ("SMITH, JONATHAN"),
//! shortened to nicknames or initials, or misspelled; dates move by a day or two; amounts
//! lose a card fee (2.9% + 0.30); some rows are posted twice and some have
//! no partner. `truth.csv` lists the true pairs.

use std::fs::File;
use std::io::BufWriter;

use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::model::error::{Error, Result};
use crate::model::money::div_round_half_away;
use crate::reconcile::names;
use crate::tools::generate::money;

pub const LEFT_FILE: &str = "pos_transactions.csv";
pub const RIGHT_FILE: &str = "rewards_redemptions.csv";
pub const TRUTH_FILE: &str = "truth.csv";

const FIRST_NAMES: &str = "james mary robert patricia john jennifer michael linda william elizabeth david barbara richard susan joseph jessica \
thomas sarah charles karen christopher nancy daniel lisa matthew betty anthony margaret donald sandra steven ashley paul kimberly \
andrew emily joshua donna kenneth michelle kevin carol brian amanda george melissa timothy deborah ronald stephanie edward rebecca \
jason sharon jeffrey laura ryan cynthia jacob kathleen gary amy nicholas angela eric shirley jonathan anna stephen brenda larry \
pamela justin emma scott nicole brandon helen benjamin samantha samuel katherine gregory christine alexander debra frank rachel \
patrick carolyn raymond janet jack catherine dennis maria jerry heather tyler diane aaron ruth jose julie adam olivia henry joyce \
nathan virginia douglas victoria zachary kelly peter lauren kyle christina ethan joan walter evelyn noah judith jeremy megan \
christian andrea keith cheryl roger hannah terry jacqueline gerald martha harold gloria sean teresa austin ann carl sara arthur \
madison lawrence frances dylan kathryn jesse janice jordan jean bryan abigail billy alice joe julia bruce judy gabriel sophia \
logan grace albert denise willie amber alan doris juan marilyn wayne danielle elijah beverly randy isabella roy theresa vincent \
diana ralph natalie eugene brittany russell charlotte bobby marie mason kayla philip alexis louis lori";

const LAST_NAMES: &str = "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson \
anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker young allen \
king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans \
turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey \
reed kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo \
sanders patel myers long ross foster jimenez powell jenkins perry russell sullivan bell coleman butler henderson barnes gonzales fisher \
vasquez simmons romero jordan patterson alexander hamilton graham reynolds griffin wallace moreno west cole hayes bryant herrera gibson \
ellis tran medina aguilar stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington kennedy wells vargas \
henry chen freeman webb tucker guzman burns crawford olson simpson porter hunter gordon mendez silva shaw snyder mason dixon munoz hunt \
hicks holmes palmer wagner black robertson boyd rose stone salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols \
stephens soto weaver ryan gardner payne grant dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart bradley knight \
elliott cunningham duncan armstrong hudson carroll lane riley andrews alvarado ray delgado berry perkins hoffman johnston matthews pena \
richards contreras willis carpenter lawrence sandoval obrien";

/// Service prices a med spa charges, in cents.
const PRICES: [i64; 12] = [4500, 6500, 8500, 12000, 15000, 19900, 25000, 35000, 45000, 60000, 85000, 120000];

fn title(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A nickname of a first name, if the matcher's table has one.
fn nickname_of(first: &str, rng: &mut SmallRng) -> Option<String> {
    let options: Vec<&str> = names::nicknames_of(first).collect();
    options.choose(rng).map(|n| n.to_string())
}

/// One typing slip: two letters swapped, one dropped or one doubled.
fn misspell(word: &str, rng: &mut SmallRng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_string();
    }
    let at = rng.gen_range(1..chars.len() - 1);
    match rng.gen_range(0..3) {
        0 => chars.swap(at, at + 1),
        1 => {
            chars.remove(at);
        }
        _ => chars.insert(at, chars[at]),
    }
    chars.into_iter().collect()
}

struct Customer {
    first: String,
    last: String,
    middle: char,
}

struct Sale {
    id: String,
    day: i64,
    cents: i64,
    customer: usize,
}

fn iso(day: i64) -> String {
    crate::model::dates::iso_date(day as i32)
}

fn us_date(day: i64) -> String {
    crate::model::dates::from_days(day as i32).format("%m/%d/%Y").to_string()
}

fn csv_writer(dir: &str, name: &str) -> Result<(String, csv::Writer<BufWriter<File>>)> {
    let path = format!("{}/{name}", dir.trim_end_matches('/'));
    let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
    Ok((path.clone(), csv::Writer::from_writer(BufWriter::new(file))))
}

/// Writes the two exports and truth.csv for `rows` sales; returns their paths.
pub fn write(rows: u32, seed: u64, out: &str) -> Result<Vec<String>> {
    if rows == 0 {
        return Err(Error::argument("--rows must be at least 1"));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut rng = SmallRng::seed_from_u64(seed);
    let firsts: Vec<&str> = FIRST_NAMES.split_whitespace().collect();
    let lasts: Vec<&str> = LAST_NAMES.split_whitespace().collect();
    let customers: Vec<Customer> = (0..(rows / 5).max(20))
        .map(|_| Customer {
            first: title(firsts[rng.gen_range(0..firsts.len())]),
            last: title(lasts[rng.gen_range(0..lasts.len())]),
            middle: (b'A' + rng.gen_range(0..26u8)) as char,
        })
        .collect();
    // About 500 sales a day, over a year at least, from 2025-01-01.
    let span = i64::from((rows / 500).max(365));
    let start = crate::model::dates::to_days(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default()) as i64;
    let mut sales: Vec<Sale> = (0..rows)
        .map(|i| {
            let price = PRICES[rng.gen_range(0..PRICES.len())];
            let extra = rng.gen_range(0..=price / 5);
            Sale {
                id: format!("T{:07}", i + 1),
                day: start + rng.gen_range(0..span),
                cents: price + extra,
                customer: rng.gen_range(0..customers.len()),
            }
        })
        .collect();
    sales.sort_by_key(|s| (s.day, s.id.clone()));

    let (left_path, mut left) = csv_writer(out, LEFT_FILE)?;
    let (right_path, mut right) = csv_writer(out, RIGHT_FILE)?;
    let (truth_path, mut truth) = csv_writer(out, TRUTH_FILE)?;
    let w = |e: csv::Error| Error::engine(e);
    left.write_record(["Transaction ID", "Date", "Customer Name", "Amount", "Payment"]).map_err(w)?;
    right.write_record(["redemption_id", "redeemed_on", "member_name", "net_amount", "points"]).map_err(w)?;
    truth.write_record(["transaction_id", "redemption_id", "kind"]).map_err(w)?;

    let mut redemptions: Vec<(i64, String, String, i64)> = Vec::new();
    let mut left_dups = 0u32;
    for (n, sale) in sales.iter().enumerate() {
        let c = &customers[sale.customer];
        let pos_name = if rng.gen_bool(0.2) {
            format!("{} {}. {}", c.first, c.middle, c.last)
        } else {
            format!("{} {}", c.first, c.last)
        };
        let amount = if rng.gen_bool(0.5) { format!("${}", money(sale.cents)) } else { money(sale.cents) };
        let payment = if rng.gen_bool(0.7) { "card" } else { "cash" };
        left.write_record([sale.id.as_str(), &iso(sale.day), &pos_name, &amount, payment]).map_err(w)?;
        let left_only = rng.gen_bool(0.03);
        let left_duplicate = !left_only && rng.gen_bool(0.01);
        if left_duplicate {
            // The register exported the same sale twice under a new number.
            left_dups += 1;
            let dup_id = format!("T{:07}", rows + left_dups);
            left.write_record([dup_id.as_str(), &iso(sale.day), &pos_name, &amount, payment]).map_err(w)?;
            let rid = format!("R{:07}", n + 1);
            truth.write_record([dup_id.as_str(), &rid, "duplicate_left"]).map_err(w)?;
        }
        if left_only {
            continue;
        }
        let shift = match rng.gen_range(0..100) {
            0..=54 => 0,
            55..=84 => 1,
            85..=94 => 2,
            _ => -1,
        };
        let fee = div_round_half_away(i128::from(sale.cents) * 29, 1000).unwrap_or(0) as i64 + 30;
        let first = match rng.gen_range(0..100) {
            0..=14 => {
                nickname_of(&c.first.to_lowercase(), &mut rng).map(|n| title(&n)).unwrap_or_else(|| c.first.clone())
            }
            15..=22 => misspell(&c.first, &mut rng),
            23..=27 => format!("{}.", c.first.chars().next().unwrap_or('X')),
            _ => c.first.clone(),
        };
        let last = if rng.gen_bool(0.06) { misspell(&c.last, &mut rng) } else { c.last.clone() };
        let member = match rng.gen_range(0..100) {
            0..=39 => format!("{}, {}", last.to_uppercase(), first.to_uppercase()),
            40..=89 => format!("{first} {last}"),
            _ => format!("{last} {first}"),
        };
        let rid = format!("R{:07}", n + 1);
        truth.write_record([sale.id.as_str(), &rid, "pair"]).map_err(w)?;
        redemptions.push((sale.day + shift, rid.clone(), member.clone(), sale.cents - fee));
        if !left_duplicate && rng.gen_bool(0.01) {
            // The program posted the redemption twice.
            let dup = format!("R{:07}", rows as usize + n + 1);
            truth.write_record([sale.id.as_str(), &dup, "duplicate_right"]).map_err(w)?;
            redemptions.push((sale.day + shift, dup, member, sale.cents - fee));
        }
    }
    // Redemptions of sales the register never exported.
    let orphans = (rows / 33).max(1);
    for k in 0..orphans {
        let c = &customers[rng.gen_range(0..customers.len())];
        let cents = PRICES[rng.gen_range(0..PRICES.len())];
        redemptions.push((
            start + rng.gen_range(0..span),
            format!("R{:07}", 2 * rows as usize + k as usize + 1),
            format!("{} {}", c.first, c.last),
            cents,
        ));
    }
    redemptions.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    for (day, id, member, cents) in &redemptions {
        let points = (cents / 100).to_string();
        right.write_record([id.as_str(), &us_date(*day), member, &money(*cents), &points]).map_err(w)?;
    }
    for mut writer in [left, right, truth] {
        writer.flush().map_err(|e| Error::io(out, e))?;
    }
    Ok(vec![left_path, right_path, truth_path])
}
