//! `vanthu unit …`: the unit's seal image (ảnh con dấu), drawn by organisation signatures.
//! The registry checks the PNG and that a văn thư sets it (`vanthu_registry::sign_images`).
use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;

use super::open;
use super::people::show_image;
use crate::GlobalOpts;

#[derive(Subcommand)]
pub enum UnitCommand {
    /// Đặt ảnh con dấu / set the unit's seal image (PNG, red, transparent background).
    SetSeal {
        /// The PNG file; leave out with --remove.
        #[arg(required_unless_present = "remove")]
        png: Option<PathBuf>,
        /// Xóa ảnh con dấu / remove the image.
        #[arg(long, conflicts_with = "png")]
        remove: bool,
    },
    /// Xem ảnh con dấu / show the seal image set, if any.
    Seal,
}

pub fn run(cmd: UnitCommand, global: &GlobalOpts) -> Result<()> {
    let mut reg = open(global)?;
    match cmd {
        UnitCommand::SetSeal { png, remove } => {
            let img = reg.set_seal_image(png.as_deref().filter(|_| !remove))?;
            show_image(&reg, "Ảnh con dấu", img.as_ref(), global.json)
        }
        UnitCommand::Seal => {
            let img = reg.seal_image()?;
            show_image(&reg, "Ảnh con dấu", img.as_ref(), global.json)
        }
    }
}
