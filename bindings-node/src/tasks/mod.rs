//! Heavy calls run off the event loop: each task holds its inputs,
//! `compute` calls the core on a libuv thread, `resolve` only converts.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{Buffer, Either, ToNapiValue, TypeName};
use napi::{sys, Env, Task, ValueType};

use crate::errors;

pub(crate) type Shared = Arc<Mutex<claimscope::Dataset>>;

/// What a task does with the dataset, and how its output becomes JSON.
pub struct DatasetTask<F, T> {
    pub dataset: Shared,
    pub work: Option<F>,
    pub failure: Option<claimscope::Error>,
    pub _out: std::marker::PhantomData<T>,
}

impl<F, T> DatasetTask<F, T> {
    pub fn new(dataset: Shared, work: F) -> Self {
        DatasetTask { dataset, work: Some(work), failure: None, _out: std::marker::PhantomData }
    }
}

impl<F, T> Task for DatasetTask<F, T>
where
    F: FnOnce(&mut claimscope::Dataset) -> claimscope::Result<T> + Send,
    T: Into<Output> + Send + 'static,
{
    type Output = Output;
    type JsValue = Either<JsonValue, Buffer>;

    fn compute(&mut self) -> napi::Result<Output> {
        let work = self.work.take().ok_or_else(|| napi::Error::from_reason("task ran twice"))?;
        let result = match self.dataset.lock() {
            Ok(mut ds) => work(&mut ds),
            Err(_) => {
                Err(claimscope::Error::Engine { message: "the dataset is unusable after an earlier failure".into() })
            }
        };
        result.map(Into::into).map_err(|e| {
            let reason = e.to_string();
            self.failure = Some(e);
            napi::Error::from_reason(reason)
        })
    }

    fn resolve(&mut self, _env: Env, output: Output) -> napi::Result<Self::JsValue> {
        match output {
            Output::Json(text) => serde_json::from_str(&text)
                .map(|v| Either::A(JsonValue(v)))
                .map_err(|e| napi::Error::from_reason(e.to_string())),
            Output::Value(v) => Ok(Either::A(JsonValue(v))),
            Output::Bytes(b) => Ok(Either::B(b.into())),
        }
    }

    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        match self.failure.take() {
            Some(e) => errors::reject(env, &e),
            None => Err(err),
        }
    }
}

/// A task's result: JSON text to parse, a value, or bytes (a Buffer).
pub enum Output {
    Json(String),
    Value(serde_json::Value),
    Bytes(Vec<u8>),
}

impl From<Vec<u8>> for Output {
    fn from(b: Vec<u8>) -> Self {
        Output::Bytes(b)
    }
}

impl From<String> for Output {
    fn from(s: String) -> Self {
        Output::Json(s)
    }
}

impl From<serde_json::Value> for Output {
    fn from(v: serde_json::Value) -> Self {
        Output::Value(v)
    }
}

/// A JSON value handed to JS as a plain value (object, string, null).
pub struct JsonValue(serde_json::Value);

impl TypeName for JsonValue {
    fn type_name() -> &'static str {
        "unknown"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

// napi's conversion trait is unsafe to implement; this one only forwards.
#[allow(unsafe_code)]
impl ToNapiValue for JsonValue {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: forwarded unchanged to serde_json::Value's conversion.
        unsafe { serde_json::Value::to_napi_value(env, val.0) }
    }
}
