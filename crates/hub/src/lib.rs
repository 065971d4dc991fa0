//! vanthu-hub: a reference store-and-forward hub for edXML packages, modelled on the national
//! document exchange axis. Packages are opaque blobs; the sender declares their metadata in
//! request headers. See docs/hub-api.md.
pub mod any;
pub mod auth;
pub mod faults;
pub mod limits;
pub mod model;
pub mod postgres;
pub mod server;
pub mod sqlite;
pub mod store;
pub mod tls;
pub mod vxp;

pub use any::AnyStore;
pub use server::{router, serve, Config};
pub use store::{HubStore, StoreError};
