//! The browser door (wasm-bindgen): converts JS values to the core's types
//! and the core's errors to JS Errors. The engine runs in the page; no data
//! leaves it.

use claimscope::{LoadOptions, ReportOptions, Table};
use wasm_bindgen::prelude::*;

/// A JS Error with the fields the Node door gives: `code`, and the core's
/// error fields (`Error::fields`: the first rejected record's `record`,
/// `line`, `column`, `value`, `reason`, every rejected record in `errors`,
/// `label`, `path`, `source`).
fn js_error(e: claimscope::Error) -> JsValue {
    let fields = e.fields();
    let error = js_sys::Error::new(&fields.message);
    let set = |key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), value);
    };
    let text = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let number = |v: Option<u64>| v.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64));
    set("code", &JsValue::from_str(fields.code));
    set("record", &number(fields.record));
    set("line", &number(fields.line));
    set("column", &text(&fields.column));
    set("value", &text(&fields.value));
    set("reason", &text(&fields.reason));
    let rows = serde_json::to_string(&fields.errors).unwrap_or_else(|_| "[]".into());
    set("errors", &js_sys::JSON::parse(&rows).unwrap_or(JsValue::NULL));
    set("label", &text(&fields.label));
    set("path", &text(&fields.path));
    set("source", &text(&fields.source));
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
    Err(js_error(claimscope::Error::Argument {
        message: "give the file as a string or a Uint8Array / ArrayBuffer".into(),
    }))
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

    /// Loads CSV text or bytes (or Arrow IPC bytes) into a canonical table;
    /// returns the load summary. `name` is the file name the summary and
    /// lineage show.
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(
        &mut self,
        table: &str,
        data: JsValue,
        mapping_json: Option<String>,
        name: Option<String>,
        lenient: Option<bool>,
    ) -> Result<JsValue, JsValue> {
        let bytes = input_bytes(&data)?;
        let run = || -> claimscope::Result<String> {
            let table = Table::parse(table)?;
            let options = LoadOptions::from_mapping_json(mapping_json.as_deref(), lenient.unwrap_or(false), None)?;
            let name = name.unwrap_or_else(|| table.name().to_string());
            let summary = self.inner.load_bytes(table, &name, bytes, &options)?;
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
        self.build_report(client, period, &options).and_then(|r| r.to_json()).map_err(js_error)
    }

    /// `{json, view}`: the report JSON text and what a screen shows of it
    /// (KPI tiles and monthly table cells, formatted by the engine).
    #[wasm_bindgen(js_name = reportView)]
    pub fn report_view(&self, client: Option<String>, period: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let run = || -> claimscope::Result<(String, String)> {
            let report = self.build_report(client, period, &options)?;
            Ok((report.to_json()?, claimscope::print::view::ReportView::of(&report).to_json()?))
        };
        let (json, view) = run().map_err(js_error)?;
        let out = js_sys::Object::new();
        js_sys::Reflect::set(&out, &JsValue::from_str("json"), &JsValue::from_str(&json))?;
        js_sys::Reflect::set(&out, &JsValue::from_str("view"), &parse_json(&view)?)?;
        Ok(out.into())
    }

    fn build_report(
        &self,
        client: Option<String>,
        period: &str,
        options: &JsValue,
    ) -> claimscope::Result<claimscope::Report> {
        let options = match json_text(options).map_err(|_| claimscope::Error::Argument {
            message: "report options: give an object or JSON text".into(),
        })? {
            Some(text) => ReportOptions::from_json(&text)?,
            None => ReportOptions::default(),
        };
        self.inner.report(client.as_deref(), period, &options)
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
    use claimscope::reconcile::{reconcile_csv, CsvFile, Options, Rules};
    let (left, right) = (input_bytes(&left)?, input_bytes(&right)?);
    let run = || -> claimscope::Result<String> {
        let rules = Rules::from_choice(rules_json.as_deref(), preset.as_deref())?;
        let mut options = Options::default();
        if let Some(mapping) = &mapping_json {
            options = options.with_mapping_json(mapping)?;
        }
        let result = reconcile_csv(
            CsvFile { name: "left.csv", bytes: &left },
            CsvFile { name: "right.csv", bytes: &right },
            &rules,
            &options,
        )?;
        result.render(format.as_deref().unwrap_or("json"))
    };
    run().map_err(js_error)
}

/// The report options' defaults, as the engine defines them (JSON text).
#[wasm_bindgen(js_name = reportDefaults)]
pub fn report_defaults() -> String {
    ReportOptions::defaults_json()
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
