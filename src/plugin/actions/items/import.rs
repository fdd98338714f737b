//! Import on the WooCommerce Items tab: selected store products and variations become QBM items,
//! after the user chose the default accounts.

use serde_json::{Map, Value, json};

use super::{ActionContext, ActionResponse};
use crate::host_port::{Account, AccountKind, Host, StorageArea};
use crate::plugin::actions::{Prompt, PromptChoice, PromptField};
use crate::plugin::error::{CoreError, CoreResult};
use crate::sync::engine::import_items;
use crate::sync::import::DefaultAccounts;

const PROMPT_ID: &str = "default_accounts";
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
                kind: "choice",
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

/// Import on the WooCommerce Items tab: asks for the default accounts first (offering the ones
/// chosen last time), then runs the engine's import.
pub fn import(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let accounts = ctx.host().accounts(&AccountKind::ALL)?;
    let Some(Value::Object(answers)) = ctx.request.answers.get(PROMPT_ID) else {
        return Ok(ActionResponse::needs_input(
            ctx.spec.id,
            prompt(ctx, &accounts),
        ));
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
    Ok(ctx.render("Import", ("qbm_item", "QBM item"), report))
}
