//! `host-sim`: press every button of the QBM WooCommerce plugin from a terminal.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = host_sim::cli::Cli::parse();
    match host_sim::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
