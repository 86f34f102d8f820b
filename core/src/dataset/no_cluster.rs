//! A build without Ballista's client: a cluster report says how to get one.

use std::path::Path;

use super::Dataset;
use crate::model::error::{Error, Result};

impl Dataset {
    /// Always an error in this build (`Dataset::on_cluster` needs the
    /// `cluster` feature).
    pub fn on_cluster(url: &str, _folder: &Path) -> Result<Dataset> {
        Err(Error::argument(format!(
            "the Ballista cluster at {url}: this claimscope was built without cluster support \
             (build it with --features cluster: cargo build -p claimscope-cli --features cluster, \
             maturin build --features cluster, napi build --features cluster)"
        )))
    }
}
