use clap::Parser;

/// vanthu: document register, edXML exchange, PDF viewing and signing for Vietnamese agencies.
#[derive(Parser)]
#[command(name = "vanthu", version)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
