//! The core's errors as JS `Error`s: `code` names the variant, and the
//! core's error fields (`Error::fields`: record, line, column, value,
//! reason, errors, label, path, source) are its properties.

use napi::{Env, JsValue};

/// Rejects with a JS Error carrying the core error's fields.
pub(crate) fn reject<T>(env: Env, e: &claimscope::Error) -> napi::Result<T> {
    let fields = e.fields();
    let mut obj = env.create_error(napi::Error::from_reason(fields.message.clone()))?;
    obj.set("code", fields.code)?;
    obj.set("record", fields.record.map(|n| n as f64))?;
    obj.set("line", fields.line.map(|n| n as f64))?;
    obj.set("column", fields.column)?;
    obj.set("value", fields.value)?;
    obj.set("reason", fields.reason)?;
    let errors: Vec<serde_json::Value> = fields.errors.iter().filter_map(|r| serde_json::to_value(r).ok()).collect();
    obj.set("errors", serde_json::Value::Array(errors))?;
    obj.set("label", fields.label)?;
    obj.set("path", fields.path)?;
    obj.set("source", fields.source)?;
    Err(napi::Error::from(obj.to_unknown()))
}
