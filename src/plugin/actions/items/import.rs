//! Import on the WooCommerce Items tab: selected store products and variations become QBM items,
//! after the user chose the default accounts.

use serde_json::{Map, Value, json};

use super::{ActionContext, ActionResponse};
use crate::host_port::{Account, AccountKind, Host, StorageArea};
use crate::plugin::actions::{Prompt, PromptChoice, PromptField, PromptFieldKind};
use crate::plugin::error::{CoreError, CoreResult};
use crate::sync::engine::import_items;
use crate::sync::import::DefaultAccounts;

const PROMPT_ID: &str = "default_accounts";
/// Import creates QBM items from the cached WooCommerce items (names, SKUs, prices as they were
/// loaded), without asking the store again. Older than this, they are refused: Refresh first.
pub const CACHE_LIMIT_HOURS: i64 = 24;
/// Where the last chosen accounts are kept, to offer them again.
const REMEMBERED: &str = "import.default_accounts";

struct AccountField {
    kind: AccountKind,
    label: &'static str,
    required: bool,
    help: &'static str,
}

const FIELDS: [AccountField; 5] = [
    AccountField {
        kind: AccountKind::Income,
        label: "Income Account",
        required: true,
        help: "Sales of the item post here.",
    },
    AccountField {
        kind: AccountKind::Asset,
        label: "Asset / Inventory",
        required: true,
        help: "The stock value of inventory items posts here.",
    },
    AccountField {
        kind: AccountKind::Cogs,
        label: "COGS",
        required: true,
        help: "Cost of goods sold posts here when inventory is sold.",
    },
    AccountField {
        kind: AccountKind::Expense,
        label: "Expense (Default)",
        required: false,
        help: "Used where an expense account applies.",
    },
    AccountField {
        kind: AccountKind::PurchaseVariance,
        label: "Purchase Variance",
        required: false,
        help: "Differences between purchase and standard cost post here.",
    },
];

fn remembered(ctx: &ActionContext) -> Map<String, Value> {
    ctx.host()
        .storage_get(StorageArea::CompanyState, REMEMBERED)
        .ok()
        .flatten()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn prompt(ctx: &ActionContext, accounts: &[Account]) -> Prompt {
    let last = remembered(ctx);
    let fields = FIELDS
        .iter()
        .map(|field| {
            let choices: Vec<PromptChoice> = accounts
                .iter()
                .filter(|a| a.kind == field.kind)
                .map(|a| PromptChoice {
                    value: a.id.clone(),
                    label: format!("{} {}", a.number, a.name).trim().to_string(),
                })
                .collect();
            let default = last
                .get(field.kind.id())
                .and_then(Value::as_str)
                .filter(|id| choices.iter().any(|c| c.value == *id))
                .map(str::to_string)
                .or_else(|| {
                    field
                        .required
                        .then(|| choices.first().map(|c| c.value.clone()))
                        .flatten()
                });
            PromptField {
                id: field.kind.id().to_string(),
                label: field.label.to_string(),
                kind: PromptFieldKind::Choice,
                required: field.required,
                choices,
                default,
                help: Some(field.help.to_string()),
            }
        })
        .collect();
    Prompt {
        id: PROMPT_ID.to_string(),
        title: "Default accounts for imported items".to_string(),
        message: if last.is_empty() {
            "Choose the accounts the imported items post to.".to_string()
        } else {
            "Choose the accounts the imported items post to. The accounts chosen at the last import are offered.".to_string()
        },
        fields,
    }
}

/// Reads the answers, checking every account exists and is of its kind.
fn chosen(answers: &Map<String, Value>, accounts: &[Account]) -> CoreResult<DefaultAccounts> {
    let pick = |field: &AccountField| -> CoreResult<Option<String>> {
        let value = answers
            .get(field.kind.id())
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty());
        match value {
            None if field.required => Err(CoreError::InvalidArgument(format!(
                "choose the {} for imported items",
                field.label
            ))),
            None => Ok(None),
            Some(id) if accounts.iter().any(|a| a.id == id && a.kind == field.kind) => {
                Ok(Some(id.to_string()))
            }
            Some(id) => Err(CoreError::InvalidArgument(format!(
                "\"{id}\" is not a QBM account of the kind {}",
                field.label
            ))),
        }
    };
    let [income, asset, cogs, expense, variance] = &FIELDS;
    Ok(DefaultAccounts {
        income: pick(income)?.unwrap_or_default(),
        asset: pick(asset)?.unwrap_or_default(),
        cogs: pick(cogs)?.unwrap_or_default(),
        expense: pick(expense)?,
        purchase_variance: pick(variance)?,
    })
}

/// "3 hours", "2 days", "less than a minute".
fn spoken_age(age: chrono::Duration) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if age.num_days() >= 1 {
        plural(age.num_days(), "day")
    } else if age.num_hours() >= 1 {
        plural(age.num_hours(), "hour")
    } else if age.num_minutes() >= 1 {
        plural(age.num_minutes(), "minute")
    } else {
        "less than a minute".to_string()
    }
}

/// How old the cached WooCommerce items are, in words (`None` without a cache: the import
/// loads them from the store first). A cache older than [`CACHE_LIMIT_HOURS`] is refused.
fn cache_age(ctx: &ActionContext) -> CoreResult<Option<String>> {
    let Some(loaded_at) = ctx
        .plugin
        .catalog()
        .get()
        .map_err(CoreError::from)?
        .and_then(|snapshot| snapshot.loaded_at)
    else {
        return Ok(None);
    };
    let age = (ctx.plugin.clock().now() - loaded_at).max(chrono::Duration::zero());
    let when = format!(
        "{} ago ({} UTC)",
        spoken_age(age),
        loaded_at.format("%Y-%m-%d %H:%M")
    );
    if age > chrono::Duration::hours(CACHE_LIMIT_HOURS) {
        return Err(CoreError::InvalidArgument(format!(
            "the WooCommerce items were loaded {when}, longer ago than the {CACHE_LIMIT_HOURS} hours Import relies on: Refresh the WooCommerce Items tab, then import"
        )));
    }
    Ok(Some(when))
}

/// Import on the WooCommerce Items tab: asks for the default accounts first (offering the ones
/// chosen last time), then runs the engine's import. Both say how old the cached WooCommerce
/// items are; a cache older than [`CACHE_LIMIT_HOURS`] is refused.
pub fn import(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let age = cache_age(ctx)?;
    let loaded = match &age {
        Some(when) => format!("The WooCommerce items were loaded {when}."),
        None => "The WooCommerce items are loaded from the store first.".to_string(),
    };
    let accounts = ctx.host().accounts(&AccountKind::ALL)?;
    let Some(Value::Object(answers)) = ctx.request.answers.get(PROMPT_ID) else {
        let mut prompt = prompt(ctx, &accounts);
        prompt.message = format!("{} {loaded}", prompt.message);
        return Ok(ActionResponse::needs_input(ctx.spec.id, prompt));
    };
    let defaults = chosen(answers, &accounts)?;
    let remember = json!({
        "income": defaults.income, "asset": defaults.asset, "cogs": defaults.cogs,
        "expense": defaults.expense, "purchase_variance": defaults.purchase_variance,
    });
    ctx.host().storage_set(
        StorageArea::CompanyState,
        REMEMBERED,
        Some(&remember.to_string()),
    )?;
    let report =
        ctx.engine(|engine| import_items::run(engine, &ctx.request.selection, &defaults))?;
    let mut response = ctx.render("Import", ("qbm_item", "QBM item"), report);
    if let Some(when) = age {
        response.message = format!(
            "{} The WooCommerce items were loaded {when}.",
            response.message
        );
    }
    Ok(response)
}
