//! The command line: press any button of the plugin as any user, against the simulated company.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use serde_json::{Map, Value, json};

use crate::company::Company;
use crate::plugin_path;
use crate::render;
use crate::services::SimHost;
use crate::session::{ActionInput, Session};

#[derive(Debug, Parser)]
#[command(
    name = "host-sim",
    version,
    about = "Loads the QBM WooCommerce plugin through its C ABI, as QBM does, over a simulated company and store"
)]
pub struct Cli {
    /// The simulated company's database (created with sample data when missing).
    #[arg(
        long,
        global = true,
        env = "HOST_SIM_COMPANY",
        default_value = "host-sim-company.sqlite"
    )]
    pub company: PathBuf,
    /// The plugin library to load (default: the one built beside host-sim).
    #[arg(long, global = true, env = "QBM_WC_PLUGIN")]
    pub plugin: Option<PathBuf>,
    /// The QBM user pressing the buttons (admin, clerk, buyer, viewer in the sample company).
    #[arg(long, global = true, default_value = "admin")]
    pub user: String,
    /// The workstation name (per-workstation options are kept per name).
    #[arg(long, global = true, default_value = "WS-01")]
    pub workstation: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The end-to-end demo against the built-in simulated store (temporary company).
    Demo(crate::demo::DemoArgs),
    /// Shows the WooCommerce menu under Integrations.
    Menu,
    /// Shows the option schema of Options → Integrations → WooCommerce.
    Schema,
    /// Shows, validates or saves option values.
    Options {
        #[command(subcommand)]
        command: OptionsCommand,
    },
    /// Describes a screen (items, customers, orders, logs) and loads its tab.
    Screen {
        id: String,
        /// The tab to load (default: the first).
        #[arg(long)]
        tab: Option<String>,
        /// A filter value, key=value (repeatable).
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
    },
    /// Presses a button (an action id such as items.woo.refresh or options.reconnect).
    Action {
        id: String,
        /// Selected row keys, comma-separated.
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// A parameter, key=value (repeatable).
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// An answer to a prompt, prompt.field=value (repeatable).
        #[arg(long = "answer", value_name = "PROMPT.FIELD=VALUE")]
        answers: Vec<String>,
    },
    /// Lists the company's users and their permissions.
    Users,
    /// Grants a permission to a user (create_customers, create_update_items, create_sales_orders, administer_options).
    Grant { user: String, permission: String },
    /// Withdraws a permission.
    Revoke { user: String, permission: String },
    /// The simulated WooCommerce store.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// On-hand stock in the company.
    Stock {
        #[command(subcommand)]
        command: StockCommand,
    },
    /// Runs the background jobs in the foreground, as QBM's job thread does: calls
    /// run_due_jobs on a thread of its own, waits as long as the plugin says or until it asks
    /// for an early run, reports stock moved anywhere in the company (stock_changed), and prints
    /// one line per job per run: what ran, its store requests and what it did. Stops with Ctrl-C.
    Run {
        /// Run each started job this many times, one right after the other (asking for each
        /// further run with Start, as in Options), then exit.
        #[arg(long)]
        cycles: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Sets the on-hand quantity of ITEM (id or code) at LOCATION (id or code) and tells the
    /// plugin (stock_changed), so automatic stock sync publishes it on its next run.
    Set {
        item: String,
        location: String,
        quantity: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Runs the simulated store until Ctrl-C and prints its URL, consumer key and secret.
    Serve(crate::store::ServeArgs),
}

#[derive(Debug, Subcommand)]
pub enum OptionsCommand {
    /// Current values (secrets only say whether they are set).
    Show,
    /// Saves values: key=value … (JSON values, or plain text).
    Set {
        #[arg(value_name = "KEY=VALUE", required = true)]
        values: Vec<String>,
    },
    /// Checks values without saving them.
    Validate {
        #[arg(value_name = "KEY=VALUE", required = true)]
        values: Vec<String>,
    },
}

/// `key=value` with the value read as JSON when it is JSON, else as text.
pub fn parse_pair(pair: &str) -> anyhow::Result<(String, Value)> {
    let (key, value) = pair
        .split_once('=')
        .with_context(|| format!("\"{pair}\" is not key=value"))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
    Ok((key.trim().to_string(), value))
}

fn pairs(list: &[String]) -> anyhow::Result<Map<String, Value>> {
    list.iter().map(|p| parse_pair(p)).collect()
}

/// Option values typed by the option schema: text fields and record ids stay text even when
/// they look like numbers (`primary_location=1`, `shipping_item=10`), lists may be written `1,2`
/// (`order_import_statuses=processing,on-hold`).
fn option_values(list: &[String], schema: &Value) -> anyhow::Result<Map<String, Value>> {
    let types: Map<String, Value> = schema["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["fields"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["key"].as_str().unwrap_or_default().to_string(),
                f["type"].clone(),
            )
        })
        .collect();
    let mut out = Map::new();
    for pair in list {
        let (key, raw) = pair
            .split_once('=')
            .with_context(|| format!("\"{pair}\" is not key=value"))?;
        let key = key.trim().to_string();
        let value = match types.get(&key).and_then(Value::as_str) {
            Some("url" | "text" | "location" | "date" | "timestamp" | "item" | "customer")
                if raw.is_empty() || raw == "null" =>
            {
                if raw.is_empty() {
                    Value::String(String::new())
                } else {
                    Value::Null
                }
            }
            Some("url" | "text" | "location" | "date" | "timestamp" | "item" | "customer") => {
                Value::String(raw.to_string())
            }
            Some("locations" | "choices") if !raw.trim_start().starts_with('[') => Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
            _ => parse_pair(pair)?.1,
        };
        out.insert(key, value);
    }
    Ok(out)
}

/// `prompt.field=value` pairs grouped by prompt; answers are always text (ids such as account
/// numbers must not turn into numbers).
fn answers(list: &[String]) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    for pair in list {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("\"{pair}\" is not prompt.field=value"))?;
        let value = Value::String(value.to_string());
        let (prompt, field) = key
            .split_once('.')
            .with_context(|| format!("answer \"{key}\" must be written prompt.field=value"))?;
        let entry = out.entry(prompt.to_string()).or_insert_with(|| json!({}));
        entry[field] = value;
    }
    Ok(out)
}

fn plugin_file(cli: &Cli) -> anyhow::Result<PathBuf> {
    match &cli.plugin {
        Some(path) => Ok(path.clone()),
        None => plugin_path::beside_executable().with_context(|| {
            format!(
                "the plugin library {} was not found beside host-sim; build it with `cargo build` or pass --plugin",
                plugin_path::library_file_name().to_string_lossy()
            )
        }),
    }
}

fn open_session(cli: &Cli) -> anyhow::Result<Session> {
    let company = Arc::new(Company::open(&cli.company)?);
    company.user(&cli.user)?;
    let host = SimHost::printing(company, &cli.user, &cli.workstation);
    Session::open(&plugin_file(cli)?, host)
}

/// Asks the user the prompt's questions on the terminal; `None` when not interactive.
fn ask(prompt: &Value) -> anyhow::Result<Option<Value>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let mut answers = Map::new();
    let stdin = std::io::stdin();
    for field in prompt["fields"].as_array().into_iter().flatten() {
        let id = field["id"].as_str().unwrap_or_default();
        let default = field["default"].as_str().unwrap_or_default();
        eprint!("{} [{}]: ", field["label"].as_str().unwrap_or(id), default);
        std::io::stderr().flush()?;
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        let line = line.trim();
        answers.insert(
            id.to_string(),
            Value::String(if line.is_empty() { default } else { line }.to_string()),
        );
    }
    Ok(Some(Value::Object(answers)))
}

/// Runs an action, answering prompts interactively when possible.
pub fn press(session: &Session, id: &str, mut input: ActionInput) -> anyhow::Result<Value> {
    loop {
        let response = session.action(id, &input)?;
        if response["outcome"] != "needs_input" {
            return Ok(response);
        }
        let prompt = &response["prompt"];
        match ask(prompt)? {
            Some(answer) => {
                let prompt_id = prompt["id"].as_str().unwrap_or_default().to_string();
                input.answers.insert(prompt_id, answer);
            }
            None => return Ok(response),
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Demo(args) => crate::demo::run(args, cli.plugin.clone()),
        Command::Store {
            command: StoreCommand::Serve(args),
        } => crate::store::serve_cli(args.clone()),
        Command::Users => {
            let company = Company::open(&cli.company)?;
            for user in company.users()? {
                println!(
                    "{:<8} {:<18} customers:{} items:{} sales-orders:{} options:{}",
                    user.login,
                    user.full_name,
                    user.create_customers,
                    user.create_update_items,
                    user.create_sales_orders,
                    user.administer_options
                );
            }
            Ok(())
        }
        Command::Grant { user, permission } | Command::Revoke { user, permission } => {
            let allowed = matches!(cli.command, Command::Grant { .. });
            Company::open(&cli.company)?.set_permission(user, permission, allowed)?;
            println!(
                "{} {permission} for {user}",
                if allowed { "Granted" } else { "Withdrew" }
            );
            Ok(())
        }
        Command::Stock {
            command:
                StockCommand::Set {
                    item,
                    location,
                    quantity,
                },
        } => stock_set(&cli, item, location, quantity),
        Command::Run { cycles } => match cycles {
            Some(cycles) => run_cycles(&cli, *cycles),
            None => run_jobs(&cli),
        },
        _ => run_with_plugin(&cli),
    }
}

/// An item by id, or else by code.
fn find_item(company: &Company, wanted: &str) -> anyhow::Result<crate::company::records::Item> {
    use crate::company::records::ItemsQuery;
    for query in [
        ItemsQuery {
            ids: Some(vec![wanted.to_string()]),
            ..ItemsQuery::default()
        },
        ItemsQuery {
            codes: Some(vec![wanted.to_string()]),
            ..ItemsQuery::default()
        },
    ] {
        if let Some(item) = company.items_query(&query)?.into_iter().next() {
            return Ok(item);
        }
    }
    bail!("there is no QBM item with the id or code \"{wanted}\"")
}

/// A location by id, or else by code.
fn find_location(
    company: &Company,
    wanted: &str,
) -> anyhow::Result<crate::company::records::Location> {
    let locations = company.locations()?;
    locations
        .iter()
        .find(|l| l.id == wanted)
        .or_else(|| {
            locations
                .iter()
                .find(|l| l.code.eq_ignore_ascii_case(wanted))
        })
        .cloned()
        .with_context(|| format!("there is no QBM location with the id or code \"{wanted}\""))
}

fn stock_set(cli: &Cli, item: &str, location: &str, quantity: &str) -> anyhow::Result<()> {
    let quantity: rust_decimal::Decimal = quantity
        .trim()
        .parse()
        .with_context(|| format!("\"{quantity}\" is not a quantity such as 12 or 2.5"))?;
    let company = Arc::new(Company::open(&cli.company)?);
    company.user(&cli.user)?;
    let item = find_item(&company, item)?;
    let item_id = item.id.clone().unwrap_or_default();
    let location = find_location(&company, location)?;
    let before = company
        .stock_on_hand(
            std::slice::from_ref(&item_id),
            std::slice::from_ref(&location.id),
        )?
        .first()
        .map_or(rust_decimal::Decimal::ZERO, |level| level.on_hand);
    company.set_on_hand(&item_id, &location.id, quantity)?;
    println!(
        "{} {} at {} ({}): {before} → {quantity}",
        item.code, item.name, location.name, location.code
    );
    let host = SimHost::printing(Arc::clone(&company), &cli.user, &cli.workstation);
    let session = Session::open(&plugin_file(cli)?, host)?;
    session.stock_changed([item_id])?;
    println!(
        "The plugin was told (stock_changed). A running `host-sim run` on this company publishes it within a second; otherwise the next run does."
    );
    Ok(())
}

/// Prints the lines of one `run_due_jobs` answer: every job that ran, and the others when
/// what they say changed since the last answer (so a waiting job is not repeated every call).
fn print_run(
    result: &Result<crate::loader::JobsReport, crate::loader::PluginError>,
    last: &mut std::collections::HashMap<String, String>,
) {
    let now = chrono::Local::now().format("%H:%M:%S");
    match result {
        Ok(run) => {
            for entry in crate::job_loop::entries(&run.report) {
                let line = crate::job_loop::describe(entry);
                let job = entry["job"].as_str().unwrap_or("?").to_string();
                if entry["ran"] == true || last.get(&job) != Some(&line) {
                    println!("{now} {line}");
                }
                last.insert(job, line);
            }
        }
        Err(err) => println!("{now} run_due_jobs failed: {err}"),
    }
}

/// How often `host-sim run` looks for stock moved elsewhere in the company.
const STOCK_WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

fn run_jobs(cli: &Cli) -> anyhow::Result<()> {
    let session = Arc::new(open_session(cli)?);
    eprintln!(
        "Running the WooCommerce jobs of {} on {} (Ctrl-C stops). Stock moved anywhere in the company (host-sim stock set) is reported to the plugin at once.",
        session.company().identity()?.1,
        cli.workstation
    );
    let _watch = crate::job_loop::StockWatch::start(Arc::clone(&session), STOCK_WATCH_EVERY)?;
    let jobs = crate::job_loop::JobLoop::start(session)?;
    let mut last = std::collections::HashMap::new();
    loop {
        if let Some(run) = jobs.next_run(std::time::Duration::from_secs(3600)) {
            print_run(&run.result, &mut last);
        }
    }
}

/// The jobs a `run_due_jobs` answer says ran.
fn jobs_that_ran(
    result: &Result<crate::loader::JobsReport, crate::loader::PluginError>,
) -> Vec<String> {
    result
        .as_ref()
        .map(|run| {
            crate::job_loop::entries(&run.report)
                .into_iter()
                .filter(|entry| entry["ran"] == true)
                .filter_map(|entry| entry["job"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `run --cycles N`: one plugin instance on QBM's job thread runs each started job N times. The
/// first call runs what is due (on a new instance, every started job that may run here); before
/// each further call, the jobs that ran are asked to run again at once the way a person asks in
/// Options — Start on a started job asks for a run now — instead of waiting for their interval.
fn run_cycles(cli: &Cli, cycles: u32) -> anyhow::Result<()> {
    let session = open_session(cli)?;
    let job_thread = std::thread::Builder::new().name("qbm-jobs".into()).spawn(
        move || -> anyhow::Result<()> {
            let mut last = std::collections::HashMap::new();
            let mut ran: Vec<String> = Vec::new();
            for cycle in 1..=cycles {
                if cycle > 1 {
                    let options = session.plugin.options()?;
                    for job in &ran {
                        // A job that stopped itself (a revoked key) is not started again.
                        let status = options["values"][format!("{job}_status")]
                            .as_str()
                            .unwrap_or_default();
                        if !status.starts_with("Started") {
                            continue;
                        }
                        if let Err(err) =
                            session.action(&format!("options.{job}.start"), &ActionInput::default())
                        {
                            println!(
                                "{job}: another run cannot be asked for ({err}); stopped after {} cycle(s).",
                                cycle - 1
                            );
                            return Ok(());
                        }
                    }
                }
                let result = session.run_due_jobs();
                print_run(&result, &mut last);
                ran = jobs_that_ran(&result);
                if ran.is_empty() {
                    println!(
                        "No job ran on {}; nothing more to do.",
                        session.host.workstation()
                    );
                    break;
                }
            }
            Ok(())
        },
    )?;
    job_thread
        .join()
        .map_err(|_| anyhow::anyhow!("the job thread failed"))?
}

fn run_with_plugin(cli: &Cli) -> anyhow::Result<()> {
    let session = open_session(cli)?;
    match &cli.command {
        Command::Menu => print!("{}", render::menu(&session.plugin.menu()?)),
        Command::Schema => print!("{}", render::schema(&session.plugin.option_schema()?)),
        Command::Options { command } => match command {
            OptionsCommand::Show => {
                let schema = session.plugin.option_schema()?;
                print!("{}", render::options(&session.plugin.options()?, &schema));
            }
            OptionsCommand::Set { values } => {
                let typed = option_values(values, &session.plugin.option_schema()?)?;
                match session.set_options(Value::Object(typed)) {
                    Ok(report) => print!("{}", render::report(&report)),
                    Err((err, report)) => {
                        if let Some(report) = report {
                            print!("{}", render::report(&report));
                        }
                        bail!(err);
                    }
                }
            }
            OptionsCommand::Validate { values } => {
                let typed = option_values(values, &session.plugin.option_schema()?)?;
                let doc = json!({ "values": Value::Object(typed) });
                print!(
                    "{}",
                    render::report(&session.plugin.validate_options(&doc)?)
                );
            }
        },
        Command::Screen { id, tab, params } => {
            let doc = session.plugin.screen(id)?;
            print!("{}", render::screen(&doc));
            let tabs = doc["tabs"].as_array().cloned().unwrap_or_default();
            let chosen = match tab {
                Some(tab) => tabs
                    .iter()
                    .find(|t| t["id"] == tab.as_str())
                    .with_context(|| format!("screen {id} has no tab {tab}"))?,
                None => tabs.first().context("the screen has no tabs")?,
            };
            let load = chosen["load_action"]
                .as_str()
                .context("the tab has no load action")?;
            println!(
                "\n{} → {load}",
                chosen["label"].as_str().unwrap_or_default()
            );
            let input = ActionInput {
                params: pairs(params)?,
                ..ActionInput::default()
            };
            print!("{}", render::response(&press(&session, load, input)?));
        }
        Command::Action {
            id,
            select,
            params,
            answers: answer_list,
        } => {
            let input = ActionInput {
                selection: select.clone(),
                params: pairs(params)?,
                answers: answers(answer_list)?,
            };
            let response = press(&session, id, input)?;
            print!("{}", render::response(&response));
            if response["outcome"] == "needs_input" {
                eprintln!(
                    "Run the command again with --answer PROMPT.FIELD=VALUE for each question above."
                );
            }
        }
        _ => unreachable!("handled in run"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_read_json_or_text() {
        assert_eq!(
            parse_pair("enabled=true").unwrap(),
            ("enabled".into(), json!(true))
        );
        assert_eq!(
            parse_pair("store_url=https://x.test").unwrap().1,
            json!("https://x.test")
        );
        assert_eq!(
            parse_pair("multiple_locations=[\"1\",\"2\"]").unwrap().1,
            json!(["1", "2"])
        );
        assert!(parse_pair("novalue").is_err());
    }

    #[test]
    fn answers_group_by_prompt() {
        let grouped = answers(&[
            "default_accounts.income=4000".into(),
            "default_accounts.cogs=5000".into(),
        ])
        .unwrap();
        assert_eq!(
            grouped["default_accounts"],
            json!({"income": "4000", "cogs": "5000"})
        );
    }
}
