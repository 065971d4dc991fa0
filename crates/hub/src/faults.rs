//! Test-only fault injection, enabled by the `VANTHU_HUB_FAULTS` environment variable, e.g.
//! `VANTHU_HUB_FAULTS="error=0.05,after=0.05,drop=0.05,stall=0.02,stall_ms=2000"`:
//! * `error`: answer 500 without doing anything;
//! * `after`: do the work, then answer 500 (the client must retry idempotently);
//! * `drop`: do the work, then cut the response body mid-way (connection error);
//! * `stall`: sleep `stall_ms` before handling (client timeouts).
//!
//! Never enabled unless the variable is set; the hub logs a warning when it is.
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

/// The environment variable that enables fault injection.
pub const ENV: &str = "VANTHU_HUB_FAULTS";

/// Probabilities (0–1) of each injected fault per request; see the module doc.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Answer 500 before doing anything.
    pub error: f64,
    /// Do the work, then answer 500.
    pub after: f64,
    /// Do the work, then cut the response body mid-way.
    pub drop: f64,
    /// Sleep `stall_ms` before handling.
    pub stall: f64,
    /// How long a stall lasts, in ms (2000 unless set).
    pub stall_ms: u64,
}

impl Faults {
    /// Reads a spec such as `error=0.05,stall=0.02`; an unknown key or value is an error.
    pub fn parse(spec: &str) -> Result<Faults, String> {
        let mut f = Faults {
            stall_ms: 2000,
            ..Faults::default()
        };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("bad fault spec {part:?}"))?;
            let num: f64 = v.parse().map_err(|_| format!("bad fault value {part:?}"))?;
            match k {
                "error" => f.error = num,
                "after" => f.after = num,
                "drop" => f.drop = num,
                "stall" => f.stall = num,
                "stall_ms" => f.stall_ms = num as u64,
                _ => return Err(format!("unknown fault {k:?}")),
            }
        }
        Ok(f)
    }

    /// The faults the environment asks for; `None` when the variable is unset or invalid (logged).
    pub fn from_env() -> Option<Faults> {
        let spec = std::env::var(ENV).ok()?;
        match Faults::parse(&spec) {
            Ok(f) => Some(f),
            Err(e) => {
                tracing::error!("ignoring {ENV}: {e}");
                None
            }
        }
    }
}

/// Middleware that applies `faults` to every request but the health check.
pub async fn inject(faults: Faults, req: Request, next: Next) -> Response {
    if req.uri().path() == "/v1/health" {
        return next.run(req).await;
    }
    let roll = |p: f64| p > 0.0 && rand::random::<f64>() < p;
    if roll(faults.stall) {
        tokio::time::sleep(Duration::from_millis(faults.stall_ms)).await;
    }
    if roll(faults.error) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "injected fault (before)").into_response();
    }
    let resp = next.run(req).await;
    if roll(faults.after) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "injected fault (after)").into_response();
    }
    if roll(faults.drop) {
        let (mut parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
        parts.headers.remove(header::CONTENT_LENGTH);
        let stream = futures_util::stream::iter(vec![
            Ok::<Bytes, std::io::Error>(half),
            Err(std::io::Error::other("injected connection drop")),
        ]);
        return Response::from_parts(parts, Body::from_stream(stream));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spec() {
        let f = Faults::parse("error=0.1, drop=0.2,stall_ms=10").unwrap();
        assert_eq!(f.error, 0.1);
        assert_eq!(f.drop, 0.2);
        assert_eq!(f.stall_ms, 10);
        assert!(Faults::parse("nope=1").is_err());
        assert!(Faults::parse("error").is_err());
    }
}
