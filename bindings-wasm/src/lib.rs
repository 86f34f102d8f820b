//! The browser door (wasm-bindgen): converts JS values to the core's types
//! and the core's errors to JS Errors. The engine runs in the page; no data
//! leaves it.

use claimscope::{LoadOptions, MappingProfile, ReportOptions, Table};
use wasm_bindgen::prelude::*;

/// A JS Error with the fields the Node door gives: `code`, the first
/// rejected record's `record`, `line`, `column`, `value`, `reason`, and every
/// rejected record in `errors`.
fn js_error(e: claimscope::Error) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    let set = |key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), value);
    };
    set("code", &JsValue::from_str(e.code()));
    let rows = match &e {
        claimscope::Error::Input { errors, .. } => errors.as_slice(),
        _ => &[],
    };
    let first = rows.first();
    set("record", &first.map_or(JsValue::NULL, |r| JsValue::from_f64(r.record as f64)));
    set("line", &first.map_or(JsValue::NULL, |r| JsValue::from_f64(r.line as f64)));
    set("column", &first.map_or(JsValue::NULL, |r| JsValue::from_str(&r.column)));
    set("value", &first.map_or(JsValue::NULL, |r| JsValue::from_str(&r.value)));
    let reason = match &e {
        claimscope::Error::Input { .. } => first.map(|r| r.reason.clone()),
        claimscope::Error::Mapping { message }
        | claimscope::Error::Argument { message }
        | claimscope::Error::Engine { message }
        | claimscope::Error::Period { message, .. }
        | claimscope::Error::Io { message, .. } => Some(message.clone()),
    };
    set("reason", &reason.map_or(JsValue::NULL, |r| JsValue::from_str(&r)));
    let rows = serde_json::to_string(rows).unwrap_or_else(|_| "[]".into());
    set("errors", &js_sys::JSON::parse(&rows).unwrap_or(JsValue::NULL));
    error.into()
}

fn parse_json(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(text)
}

/// Options given as JSON text or as an object (then serialised); none when
/// undefined or null. Text keeps exact digits; JS numbers are floats.
fn json_text(value: &JsValue) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    js_sys::JSON::stringify(value).map(|s| Some(String::from(s)))
}

/// Text or bytes from JS: a string is UTF-8 text, a Uint8Array its bytes.
fn input_bytes(data: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = data.as_string() {
        return Ok(text.into_bytes());
    }
    if data.is_instance_of::<js_sys::Uint8Array>() || data.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(data).to_vec());
    }
    Err(js_error(claimscope::Error::Argument { message: "give the file as a string or a Uint8Array / ArrayBuffer".into() }))
}

/// The canonical tables of one or many clients, in the page's memory.
#[wasm_bindgen]
pub struct Dataset {
    inner: claimscope::Dataset,
}

impl Default for Dataset {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Dataset {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Dataset {
        Dataset { inner: claimscope::Dataset::new() }
    }

    /// Loads CSV text or bytes into a canonical table; returns the load
    /// summary. `name` is the file name the summary and lineage show.
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(&mut self, table: &str, data: JsValue, mapping_json: Option<String>, name: Option<String>, lenient: Option<bool>) -> Result<JsValue, JsValue> {
        let bytes = input_bytes(&data)?;
        let run = || -> claimscope::Result<String> {
            let table = Table::parse(table)?;
            let options = LoadOptions {
                mapping: mapping_json.as_deref().map(MappingProfile::from_json).transpose()?,
                lenient: lenient.unwrap_or(false),
                client_id: None,
            };
            let name = name.unwrap_or_else(|| table.name().to_string());
            let summary = self.inner.load_csv_bytes(table, &name, &bytes, &options)?;
            serde_json::to_string(&summary).map_err(|e| claimscope::Error::Engine { message: e.to_string() })
        };
        parse_json(&run().map_err(js_error)?)
    }

    /// The report document as a JS object (numbers as JS numbers).
    pub fn report(&self, client: Option<String>, period: &str, options: JsValue) -> Result<JsValue, JsValue> {
        parse_json(&self.report_json(client, period, options)?)
    }

    /// The report document as JSON text, byte-identical to the CLI's.
    /// `options`: the report options (snake_case keys) as an object or JSON text.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self, client: Option<String>, period: &str, options: JsValue) -> Result<String, JsValue> {
        let options_json = json_text(&options)?;
        let run = || -> claimscope::Result<String> {
            let options = match options_json {
                Some(text) => ReportOptions::from_json(&text)?,
                None => ReportOptions::default(),
            };
            self.inner.report(client.as_deref(), period, &options)?.to_json()
        };
        run().map_err(js_error)
    }

    /// The client ids loaded.
    pub fn clients(&self) -> Result<Vec<String>, JsValue> {
        self.inner.clients().map_err(js_error)
    }
}

/// Reconciles two CSV files (text or bytes): rules as JSON text or a preset
/// name, optional header renames; returns `json` (default), `csv` or `table` text.
#[wasm_bindgen(js_name = reconcileText)]
pub fn reconcile_text(
    left: JsValue,
    right: JsValue,
    rules_json: Option<String>,
    preset: Option<String>,
    mapping_json: Option<String>,
    format: Option<String>,
) -> Result<String, JsValue> {
    use claimscope::reconcile::{reconcile_csv, Input, Options, Rules};
    let (left, right) = (input_bytes(&left)?, input_bytes(&right)?);
    let run = || -> claimscope::Result<String> {
        let rules = Rules::from_choice(rules_json.as_deref(), preset.as_deref())?;
        let mut options = Options::default();
        if let Some(mapping) = &mapping_json {
            options = options.with_mapping_json(mapping)?;
        }
        let result = reconcile_csv(Input { name: "left.csv", bytes: &left }, Input { name: "right.csv", bytes: &right }, &rules, &options)?;
        result.render(format.as_deref().unwrap_or("json"))
    };
    run().map_err(js_error)
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
