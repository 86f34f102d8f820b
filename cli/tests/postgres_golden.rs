//! The golden cases of tests/golden through PostgreSQL: every input file
//! uploaded (one upload a client and file) into a host whose schema differs
//! from the seed's (tests/postgres/host-extended.sql and .json: paid dates,
//! carrier claim ids, a reimbursement's own claimant), read back and
//! reported. The report equals the golden file in every field but lineage,
//! with the client's UUID for its name. Eligibility spans and PEPM budget
//! rates, which no host table holds, are refused by the upload and come
//! from their file beside the database's rows.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod pg_server;

use std::collections::BTreeMap;

use claimscope::host::{HostSchema, Postgres, UploadOptions};
use claimscope::{Dataset, LoadOptions, ReportOptions, Table};
use pg_server::{psql, repo, Server};

/// A UUID per client name, and the user each upload is recorded for.
fn client_uuid(i: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", i + 1, i + 1)
}

/// The rows of one client of a canonical CSV (client_id first or anywhere).
fn rows_of(text: &str, client: &str) -> String {
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let at = header.split(',').position(|h| h == "client_id").unwrap();
    let mut out = format!("{header}\n");
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record.unwrap();
        if &record[at] == client {
            writer.write_record(&record).unwrap();
        }
    }
    out.push_str(&String::from_utf8(writer.into_inner().unwrap()).unwrap());
    out
}

#[test]
fn golden_cases_through_a_host_schema_of_its_own() {
    let server = Server::start("golden");
    let schema =
        HostSchema::from_json(&std::fs::read_to_string(repo().join("tests/postgres/host-extended.json")).unwrap())
            .unwrap();
    let extension = std::fs::read_to_string(repo().join("tests/postgres/host-extended.sql")).unwrap();
    let cases_dir = repo().join("tests/golden/cases");
    let mut names: Vec<_> = std::fs::read_dir(&cases_dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let work = std::env::temp_dir().join(format!("claimscope-pg-golden-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut checked = 0;
    for (n, path) in names.iter().enumerate() {
        let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let url = server.database(&format!("cs_golden_{n}"));
        psql(&url, &extension);
        let pg = Postgres::connect(&url).unwrap().with_schema(schema.clone());
        // Every client named in the case's files, as a client with a user.
        let files: Vec<(Table, std::path::PathBuf)> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (Table::parse(f["table"].as_str().unwrap()).unwrap(), cases_dir.join(f["path"].as_str().unwrap())))
            .collect();
        let mut clients: BTreeMap<String, String> = BTreeMap::new();
        for (_, file) in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let at = reader.headers().unwrap().iter().position(|h| h == "client_id").unwrap();
            for record in reader.records() {
                let name = record.unwrap()[at].to_string();
                let next = clients.len();
                clients.entry(name).or_insert_with(|| client_uuid(next + 100 * n));
            }
        }
        for (name, id) in &clients {
            psql(
                &url,
                &format!(
                    "INSERT INTO clients (client_id, name) VALUES ('{id}', '{name}');
                     INSERT INTO users (email, name, role, client_id) VALUES ('{id}@test', 'U', 'admin', '{id}')"
                ),
            );
        }
        let mut beside = Vec::new();
        'files: for (table, file) in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for (name, id) in &clients {
                let part = rows_of(&text, name);
                if part.lines().count() < 2 {
                    continue;
                }
                let options = UploadOptions {
                    client_id: id.clone(),
                    load: LoadOptions { lenient: false, ..LoadOptions::default() },
                    file_name: Some(file.file_name().unwrap().to_string_lossy().into_owned()),
                    ..UploadOptions::default()
                };
                let bytes = part.replace(&format!("{name},"), &format!("{id},")).into_bytes();
                let source = work.join(format!("{n}-{name}-{}", file.file_name().unwrap().to_string_lossy()));
                match pg.upload_bytes(*table, source.to_str().unwrap(), bytes, &options) {
                    Ok(_) => {}
                    // Eligibility spans and PEPM budget rates have no host table: they
                    // are refused, nothing written, and loaded from the file instead.
                    Err(e) if e.to_string().contains("cannot be uploaded") => {
                        beside.push((*table, file.clone()));
                        continue 'files;
                    }
                    Err(e) => panic!("{}: {}: {e}", path.display(), file.display()),
                }
            }
        }
        let client_name = manifest["client"].as_str().unwrap();
        let client = &clients[client_name];
        let mut ds = Dataset::new();
        pg.load_client(&mut ds, client, false).unwrap();
        for (table, file) in beside {
            let text = std::fs::read_to_string(&file).unwrap();
            let mine = rows_of(&text, client_name).replace(&format!("{client_name},"), &format!("{client},"));
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            ds.load_csv_bytes(table, &name, mine.as_bytes(), &LoadOptions::default()).unwrap();
        }
        let options = ReportOptions::from_json(&manifest["options"].to_string()).unwrap();
        let period = manifest["period"].as_str().unwrap();
        let report = ds.report(Some(client), period, &options).unwrap().to_json().unwrap();
        let mut got: serde_json::Value = serde_json::from_str(&report).unwrap();
        let expected_path = cases_dir.join(manifest["expected"].as_str().unwrap());
        let expected_text = std::fs::read_to_string(&expected_path)
            .unwrap()
            .replace(&format!("\"client_id\": \"{client_name}\""), &format!("\"client_id\": \"{client}\""));
        let mut expected: serde_json::Value = serde_json::from_str(&expected_text).unwrap();
        got.as_object_mut().unwrap().remove("lineage");
        expected.as_object_mut().unwrap().remove("lineage");
        assert_eq!(got, expected, "{} through PostgreSQL", path.display());
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} golden cases ran");
    let _ = std::fs::remove_dir_all(&work);
}
