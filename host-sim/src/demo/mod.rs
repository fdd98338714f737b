//! `host-sim demo`: the product end to end, as a QBM administrator would walk through the guide's
//! set-up and testing checklist, against the built-in simulated store (HTTPS with a certificate
//! made for the demo) and a fresh sample company.
//!
//! The plugin trusts certificates only through the system trust store, which it reads when it
//! connects. So the demo generates the store's certificate first and runs the walk-through in a
//! child process of itself whose `SSL_CERT_FILE` names the demo's certificate authority: the same
//! thing a QBM machine that trusts the shop's certificate does.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::company::Company;
use crate::company::records::ItemsQuery;
use crate::plugin_path;
use crate::render;
use crate::services::SimHost;
use crate::session::{ActionInput, Session};
use crate::store::{KeyPermission, SeedSpec, SimStore, StoreOptions, TlsMaterial};

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Keep the demo company database at this path instead of a temporary file.
    #[arg(long)]
    pub keep_company: Option<PathBuf>,
    /// Use plain HTTP (OAuth 1.0a signatures) instead of HTTPS.
    #[arg(long)]
    pub http: bool,
    /// Internal: the folder with the demo's certificate (set by the demo for its child process).
    #[arg(long, hide = true)]
    pub tls_dir: Option<PathBuf>,
}

mod customers_orders;
mod jobs;

/// What the demo's sections work with.
pub(crate) struct Walk<'a> {
    pub session: &'a Session,
    pub store: &'a SimStore,
}

pub(crate) fn step(title: &str) {
    println!("\n━━ {title} ━━");
}

pub fn run(args: &DemoArgs, plugin: Option<PathBuf>) -> anyhow::Result<()> {
    let plugin = match plugin {
        Some(path) => path,
        None => plugin_path::beside_executable()
            .context("the plugin library was not built beside host-sim")?,
    };
    if args.http {
        return walk_through(args, &plugin, None);
    }
    match &args.tls_dir {
        Some(dir) => {
            let material = TlsMaterial::load(dir)?;
            walk_through(args, &plugin, Some(material))
        }
        None => run_trusting_a_new_certificate(args, &plugin),
    }
}

fn run_trusting_a_new_certificate(args: &DemoArgs, plugin: &Path) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let material = TlsMaterial::generate()?;
    material.save(dir.path())?;
    let ca = dir.path().join("demo-ca.pem");
    material.write_ca_file(&ca)?;
    let mut child = Command::new(std::env::current_exe()?);
    child
        .arg("--plugin")
        .arg(plugin)
        .arg("demo")
        .arg("--tls-dir")
        .arg(dir.path())
        .env("SSL_CERT_FILE", &ca)
        .env_remove("SSL_CERT_DIR");
    if let Some(path) = &args.keep_company {
        child.arg("--keep-company").arg(path);
    }
    let status = child.status().context("the demo could not start itself")?;
    if !status.success() {
        bail!("the demo failed");
    }
    Ok(())
}

pub(crate) fn show(result: Result<Value, crate::loader::PluginError>) -> anyhow::Result<Value> {
    match result {
        Ok(response) => {
            print!("{}", render::response(&response));
            Ok(response)
        }
        Err(err) => {
            println!("Refused: {err}");
            Err(err.into())
        }
    }
}

pub(crate) fn ids_of(session: &Session, codes: &[&str]) -> anyhow::Result<Vec<String>> {
    let items = session.company().items_query(&ItemsQuery {
        codes: Some(codes.iter().map(|c| c.to_string()).collect()),
        ..ItemsQuery::default()
    })?;
    Ok(items.into_iter().filter_map(|i| i.id).collect())
}

pub(crate) fn store_stock(store: &SimStore, ids: &[u64]) {
    store.with_data(|data| {
        for id in ids {
            if let Some(product) = data.products.get(id) {
                println!(
                    "  store item {id} {:<18} stock {}",
                    product.sku,
                    product
                        .stock_quantity
                        .map_or("-".to_string(), |q| q.to_string())
                );
            }
        }
    });
}

fn walk_through(args: &DemoArgs, plugin: &Path, tls: Option<TlsMaterial>) -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let company_path = args
        .keep_company
        .clone()
        .unwrap_or_else(|| temp.path().join("company.sqlite"));
    let company = Arc::new(Company::open(&company_path)?);

    step("Start the simulated WooCommerce store");
    let store = SimStore::start(StoreOptions {
        tls,
        ..StoreOptions::default()
    })?;
    store.seed(&SeedSpec::fixtures());
    let key = store.create_key(KeyPermission::ReadWrite);
    println!(
        "{} is serving WooCommerce 8.9.1 with the recorded catalog; a Read/Write API key was created.",
        store.base_url()
    );

    step("Load the plugin through its C ABI, as QBM does");
    let session = Session::open(plugin, SimHost::printing(company, "admin", "WS-01"))?;
    let library = session.plugin.library();
    println!(
        "Loaded {} ({} {}); ABI {}.{} accepted.",
        library.path().display(),
        library.plugin_id(),
        library.plugin_version(),
        qbm_woocommerce::ffi::abi::QBM_WC_ABI_MAJOR,
        qbm_woocommerce::ffi::abi::QBM_WC_ABI_MINOR
    );

    step("Integrations menu before the integration is enabled");
    print!("{}", render::menu(&session.plugin.menu()?));

    step("Options → Integrations → WooCommerce");
    print!("{}", render::schema(&session.plugin.option_schema()?));

    let insecure = store.base_url().replace("https://", "http://");
    step("Saving an http:// address without \"Allow insecure HTTP\" is refused field by field");
    if let Err((err, report)) =
        session.set_options(json!({ "store_url": insecure, "stock_sync_interval_minutes": 0 }))
    {
        println!("{err}");
        if let Some(report) = report {
            print!("{}", render::report(&report));
        }
    }

    step("Saving the connection, inventory and import settings as the administrator");
    let saved = session
        .set_options(json!({
            "enabled": true,
            "store_url": store.base_url(),
            "allow_insecure_http": store.base_url().starts_with("http://"),
            "consumer_key": key.consumer_key,
            "consumer_secret": key.consumer_secret,
            "primary_location": "1",
            "stock_sync_interval_minutes": 15,
            "log_missing_items": true,
            "allow_create_items": true,
            "allow_import_items": true,
        }))
        .map_err(|(err, _)| err)?;
    print!("{}", render::report(&saved));
    let schema = session.plugin.option_schema()?;
    print!("{}", render::options(&session.plugin.options()?, &schema));

    step("Integrations menu after enabling");
    print!("{}", render::menu(&session.plugin.menu()?));

    step("Checklist: Reconnect from Options");
    show(session.action("options.reconnect", &ActionInput::default()))?;

    step("Checklist: Open WooCommerce Logs");
    show(session.action("options.open_logs", &ActionInput::default()))?;

    step("Checklist: Refresh WooCommerce Items (products and variations)");
    show(session.action("items.woo.refresh", &ActionInput::default()))?;

    step("QBM Items tab: QBM items with their WooCommerce match");
    show(session.action("items.qbm.refresh", &ActionInput::default()))?;

    step("Checklist: Sync selected stock (Main Warehouse quantities)");
    println!("Before:");
    store_stock(&store, &[1029, 1036, 1037, 1031]);
    let selected = ids_of(
        &session,
        &["MUG-01", "TS-S-RED", "TS-M-BLUE", "POSTER-A2", "CABLE-USBC"],
    )?;
    show(session.action("items.qbm.sync_stock", &ActionInput::select(selected)))?;
    println!("After:");
    store_stock(&store, &[1029, 1036, 1037, 1031]);

    step("Create / Update: send a QBM-only item to the store");
    let cable = ids_of(&session, &["CABLE-USBC", "LAMP-DESK"])?;
    show(session.action("items.qbm.create_update", &ActionInput::select(cable)))?;

    step("Import WooCommerce items: the default accounts prompt");
    let import = ActionInput::select(["1032", "1036", "1035"]);
    let asked = show(session.action("items.woo.import", &import))?;
    let answers: serde_json::Map<String, Value> = asked["prompt"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f["id"].as_str()?.to_string(), f["default"].clone())))
        .filter(|(_, v)| !v.is_null())
        .collect();
    println!(
        "Answering with the offered defaults: {}",
        Value::Object(answers.clone())
    );
    show(session.action(
        "items.woo.import",
        &import.answer("default_accounts", Value::Object(answers)),
    ))?;

    let walk = Walk {
        session: &session,
        store: &store,
    };
    customers_orders::walk(&walk)?;
    jobs::walk(&walk)?;

    step("WooCommerce Logs after the walk-through");
    show(session.action("logs.refresh", &ActionInput::default()))?;

    let violations = session.host.violations();
    if !violations.is_empty() {
        bail!(
            "the plugin broke the ABI's threading promise:\n{}",
            violations.join("\n")
        );
    }
    println!(
        "\nDemo finished: {} store requests answered; every host callback came from a host thread inside a call into the plugin.",
        store.requests().total()
    );
    Ok(())
}
