#![allow(dead_code)]
pub mod pg;

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use vanthu_hub::{AnyStore, HubStore};

pub enum Backend {
    Sqlite,
    Postgres,
}

/// A hub served in-process on a loopback port, over a fresh database.
pub struct TestHub {
    pub url: String,
    pub store: AnyStore,
    pub db: String,
    pub secrets: BTreeMap<String, String>,
    _dir: Option<tempfile::TempDir>,
}

pub const A: &str = "000.00.00.H34";
pub const B: &str = "000.01.20.H34";
pub const C: &str = "000.02.20.H34";
pub const D: &str = "000.03.20.H34";

pub async fn start_hub(backend: Backend, cfg: vanthu_hub::Config) -> TestHub {
    let (db, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            (
                dir.path().join("hub.sqlite").display().to_string(),
                Some(dir),
            )
        }
        Backend::Postgres => (pg::PgCluster::get().fresh_db(), None),
    };
    let store = AnyStore::open(&db).await.unwrap();
    let mut secrets = BTreeMap::new();
    for (code, name) in [
        (A, "UBND Tỉnh Kon Tum"),
        (B, "Sở Nội vụ"),
        (C, "Sở Tài chính"),
        (D, "Sở Y tế"),
    ] {
        let (rec, secret) = vanthu_hub::auth::new_agency(code, name);
        store.add_agency(rec).await.unwrap();
        secrets.insert(code.to_owned(), secret);
    }
    let url = serve_store(store.clone(), cfg).await;
    TestHub {
        url,
        store,
        db,
        secrets,
        _dir: dir,
    }
}

/// Serves `store` on a new loopback port (a second "hub process" over the same database).
pub async fn serve_store(store: AnyStore, cfg: vanthu_hub::Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(vanthu_hub::serve(
        listener,
        store,
        cfg,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

/// The documented API: every call made by the suite is checked against it.
pub struct OpenApi(Value);

impl OpenApi {
    pub fn load() -> OpenApi {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/hub-openapi.json");
        let text = std::fs::read_to_string(path).expect("docs/hub-openapi.json");
        OpenApi(serde_json::from_str(&text).expect("hub-openapi.json is valid JSON"))
    }
    pub fn operation(&self, method: &str, template: &str) -> Option<&Value> {
        self.0["paths"][template].get(method.to_lowercase())
    }
    pub fn documents(&self, method: &str, template: &str, status: u16) -> bool {
        self.operation(method, template)
            .map(|op| op["responses"].get(status.to_string()).is_some())
            .unwrap_or(false)
    }
    pub fn paths(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, item) in self.0["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                    out.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        out
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub api: OpenApi,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One API call. `template` is the documented route; `path` the concrete one.
pub struct Call<'a> {
    pub method: Method,
    pub template: &'a str,
    pub path: String,
    pub auth: Option<(&'a str, &'a str)>,
    pub headers: Vec<(&'a str, String)>,
    pub body: Option<Vec<u8>>,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, template: &'a str, path: impl Into<String>) -> Call<'a> {
        Call {
            method,
            template,
            path: path.into(),
            auth: None,
            headers: Vec::new(),
            body: None,
        }
    }
    pub fn auth(mut self, code: &'a str, secret: &'a str) -> Self {
        self.auth = Some((code, secret));
        self
    }
    pub fn header(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    pub fn body(mut self, b: impl Into<Vec<u8>>) -> Self {
        self.body = Some(b.into());
        self
    }
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            api: OpenApi::load(),
        }
    }

    /// Performs the call, asserts the status, and asserts that the OpenAPI file documents
    /// that status for that route.
    pub async fn expect(&self, call: Call<'_>, status: u16) -> Resp {
        let mut req = self
            .http
            .request(call.method.clone(), format!("{}{}", self.base, call.path));
        if let Some((code, secret)) = call.auth {
            req = req.basic_auth(code, Some(secret));
        }
        for (k, v) in &call.headers {
            req = req.header(*k, v);
        }
        if let Some(b) = call.body {
            req = req.body(b);
        }
        let resp = req.send().await.unwrap();
        let got = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.unwrap();
        assert_eq!(
            got.as_u16(),
            status,
            "{} {} → {}: {}",
            call.method,
            call.path,
            got,
            String::from_utf8_lossy(&body)
        );
        assert!(
            self.api
                .documents(call.method.as_str(), call.template, status),
            "docs/hub-openapi.json does not document {status} for {} {}",
            call.method,
            call.template
        );
        if status >= 400 {
            let v: Value = serde_json::from_slice(&body).expect("error bodies are JSON");
            assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
        }
        Resp {
            status: got,
            headers,
            body,
        }
    }
}
