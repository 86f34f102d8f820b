//! The core's errors as JS `Error`s with `code` and the same fields as the
//! Rust error (record, line, column, value, reason, errors).

use napi::{Env, JsValue};

/// Rejects with a JS Error carrying the core error's fields.
pub(crate) fn reject<T>(env: Env, e: &claimscope::Error) -> napi::Result<T> {
    let mut obj = env.create_error(napi::Error::from_reason(e.to_string()))?;
    obj.set("code", e.code())?;
    let rows: Vec<serde_json::Value> = match e {
        claimscope::Error::Input { errors, .. } => errors.iter().filter_map(|r| serde_json::to_value(r).ok()).collect(),
        _ => Vec::new(),
    };
    let first = rows.first().cloned().unwrap_or(serde_json::Value::Null);
    for field in ["record", "line", "column", "value"] {
        obj.set(field, first.get(field).cloned().unwrap_or(serde_json::Value::Null))?;
    }
    let reason = match e {
        claimscope::Error::Input { errors, .. } => errors.first().map(|r| r.reason.clone()),
        claimscope::Error::Period { message, label } => {
            obj.set("label", label.as_str())?;
            Some(message.clone())
        }
        claimscope::Error::Io { message, path } => {
            obj.set("path", path.as_str())?;
            Some(message.clone())
        }
        claimscope::Error::Mapping { message } | claimscope::Error::Argument { message } | claimscope::Error::Engine { message } => {
            Some(message.clone())
        }
    };
    obj.set("reason", reason)?;
    obj.set("errors", serde_json::Value::Array(rows))?;
    Err(napi::Error::from(obj.to_unknown()))
}
