//! Import on the WooCommerce Items tab: selected store products and variations become QBM items,
//! after the user chose the default accounts.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::{ActionContext, ResultLine, catalog, record_links, result_table, summarise};
use std::collections::HashSet;

use crate::host_port::{
    Account, AccountKind, Created, Host, ItemsQuery, Link, LinkKind, LinksQuery, StorageArea,
    WooIdentity,
};
use crate::integration_log::Category;
use crate::plugin::actions::{ActionResponse, Outcome, Prompt, PromptChoice, PromptField};
use crate::plugin::error::{CoreError, CoreResult};
use crate::sync::catalog::WooItem;
use crate::sync::import::{self, Decision, DefaultAccounts, Existing};

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
        message: "Choose the accounts the imported items post to.".to_string(),
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

/// The store items to import, in selection order; a variable product stands for its variations.
fn candidates(
    snapshot: &[WooItem],
    selection: &[String],
    lines: &mut Vec<ResultLine>,
) -> Vec<WooItem> {
    let mut out = Vec::new();
    for id in selection {
        let found = id
            .parse::<u64>()
            .ok()
            .and_then(|id| snapshot.iter().find(|w| w.id == id));
        let Some(item) = found else {
            lines.push(ResultLine {
                qbm: id.clone(),
                woo_id: id.parse().ok(),
                code: String::new(),
                outcome: "failed",
                detail: "not in the loaded WooCommerce items; Refresh the WooCommerce Items tab"
                    .into(),
            });
            continue;
        };
        if item.kind == "variable" {
            let variations: Vec<&WooItem> = snapshot
                .iter()
                .filter(|w| w.parent_id == Some(item.id))
                .collect();
            lines.push(ResultLine {
                qbm: String::new(),
                woo_id: Some(item.id),
                code: item.sku.clone().unwrap_or_default(),
                outcome: if variations.is_empty() {
                    "skipped"
                } else {
                    "expanded"
                },
                detail: if variations.is_empty() {
                    "variable product without variations: nothing to import".into()
                } else {
                    format!(
                        "variable product: its {} variations are imported as separate items",
                        variations.len()
                    )
                },
            });
            out.extend(variations.into_iter().cloned());
        } else {
            out.push(item.clone());
        }
    }
    out
}

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

    let snapshot = catalog::ensure(ctx)?;
    let mut lines = Vec::new();
    let wanted = candidates(&snapshot.items, &ctx.request.selection, &mut lines);

    // Every QBM item any candidate could collide with, in one query.
    let mut values: BTreeSet<String> = BTreeSet::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut upcs: BTreeSet<String> = BTreeSet::new();
    for item in &wanted {
        values.extend(item.sku.clone());
        names.insert(item.name.trim().to_string());
        upcs.extend(item.barcode.clone());
    }
    let values: Vec<String> = values.into_iter().collect();
    let existing_items = ctx.host().items_query(&ItemsQuery {
        skus: Some(values.clone()),
        codes: Some(values.clone()),
        lookup_codes: Some(values),
        upcs: Some(upcs.into_iter().collect()),
        names: Some(names.into_iter().collect()),
        ..ItemsQuery::default()
    })?;
    let existing = Existing::from_items(&existing_items);
    let refs: Vec<&WooItem> = wanted.iter().collect();
    let decisions = import::decide(&refs, &existing, &defaults);
    let by_id: HashMap<u64, &WooItem> = wanted.iter().map(|w| (w.id, w)).collect();
    // Store items already linked, and QBM items that have a link at all: an item created by an
    // earlier import whose link was lost has the SKU and no link.
    let linked_woo: HashMap<String, String> = ctx
        .host()
        .links_get(&LinksQuery {
            kind: LinkKind::Item,
            woo_ids: Some(wanted.iter().map(|w| w.id.to_string()).collect()),
            qbm_ids: None,
        })?
        .into_iter()
        .map(|l| (l.woo_id, l.qbm_id))
        .collect();
    let linked_qbm: HashSet<String> = ctx
        .host()
        .links_get(&LinksQuery {
            kind: LinkKind::Item,
            woo_ids: None,
            qbm_ids: Some(existing.sku_ids.values().cloned().collect()),
        })?
        .into_iter()
        .map(|l| l.qbm_id)
        .collect();
    let code_of: HashMap<&str, &str> = existing_items
        .iter()
        .filter_map(|i| i.id.as_deref().map(|id| (id, i.code.as_str())))
        .collect();

    let total = decisions.len() as u64;
    let mut links = Vec::new();
    let mut cancelled = false;
    for (done, (woo_id, decision)) in decisions.into_iter().enumerate() {
        let woo = by_id[&woo_id];
        let code = woo.sku.clone().unwrap_or_default();
        ctx.progress(done as u64, total, &format!("Importing {}", woo.name));
        if ctx.is_cancelled() {
            cancelled = true;
            break;
        }
        if let Some(qbm_id) = linked_woo.get(&woo_id.to_string()) {
            lines.push(ResultLine {
                qbm: code_of
                    .get(qbm_id.as_str())
                    .map_or(qbm_id.clone(), |c| c.to_string()),
                woo_id: Some(woo_id),
                code,
                outcome: "skipped",
                detail: format!(
                    "already imported as QBM item {}",
                    code_of.get(qbm_id.as_str()).copied().unwrap_or(qbm_id)
                ),
            });
            continue;
        }
        let line = match decision {
            Decision::SkuTaken { qbm_id, .. } if !linked_qbm.contains(&qbm_id) => {
                links.push(Link {
                    kind: LinkKind::Item,
                    woo_id: woo_id.to_string(),
                    woo_parent_id: woo.parent_id.map(|p| p.to_string()),
                    qbm_id: qbm_id.clone(),
                    created_at: None,
                });
                ResultLine {
                    qbm: code_of.get(qbm_id.as_str()).map_or(qbm_id.clone(), |c| c.to_string()),
                    woo_id: Some(woo_id),
                    code,
                    outcome: "linked",
                    detail: "a QBM item with this SKU and no link existed (an earlier import created it but could not link it): it is linked now".into(),
                }
            }
            Decision::SkuTaken { reason, .. } | Decision::Skip(reason) => ResultLine {
                qbm: String::new(),
                woo_id: Some(woo_id),
                code,
                outcome: "skipped",
                detail: reason,
            },
            Decision::Create(item) => match ctx.host().create_linked(
                item.as_ref(),
                &WooIdentity {
                    woo_id: woo_id.to_string(),
                    woo_parent_id: woo.parent_id.map(|p| p.to_string()),
                    number: None,
                },
            ) {
                Ok(Created {
                    record: created,
                    existing: true,
                    ..
                }) => ResultLine {
                    qbm: created.code.clone(),
                    woo_id: Some(woo_id),
                    code,
                    outcome: "skipped",
                    detail: format!("already imported as QBM item {}", created.code),
                },
                Ok(Created {
                    record: created,
                    link_error,
                    ..
                }) => {
                    let mut detail = format!(
                        "new {} item {} \"{}\"",
                        type_label(created.item_type),
                        created.code,
                        created.name
                    );
                    if let Some(err) = link_error {
                        detail.push_str(&format!(
                            "; its link to the store item could not be recorded ({err}): importing it again links it"
                        ));
                    }
                    ResultLine {
                        qbm: created.code.clone(),
                        woo_id: Some(woo_id),
                        code,
                        outcome: "created",
                        detail,
                    }
                }
                Err(err) => ResultLine {
                    qbm: String::new(),
                    woo_id: Some(woo_id),
                    code,
                    outcome: "failed",
                    detail: err.to_string(),
                },
            },
        };
        lines.push(line);
    }
    let mut warnings = Vec::new();
    if let Err(err) = record_links(ctx, links, &mut warnings) {
        warnings.push(format!(
            "links of repaired items could not be recorded: {err}"
        ));
        for line in lines.iter_mut().filter(|l| l.outcome == "linked") {
            line.outcome = "failed";
            line.detail = format!("the link could not be recorded: {err}");
        }
    }

    let summary = summarise(&lines);
    let log = ctx.plugin.log();
    for line in lines.iter().filter(|l| l.outcome != "created") {
        if let Some(id) = line.woo_id {
            log.info(
                Category::Processing,
                &format!(
                    "Import of store item {id} {}: {} ({})",
                    line.code, line.outcome, line.detail
                ),
            );
        }
    }
    let message = format!(
        "Import{}: {} processed, {} created, {} skipped, {} failed.",
        if cancelled { " cancelled" } else { "" },
        summary.processed,
        summary.created,
        summary.skipped,
        summary.failed
    );
    log.info(Category::Processing, &message);
    let mut response = ActionResponse::completed(ctx.spec.id, message);
    if cancelled {
        response.outcome = Outcome::Cancelled;
    }
    response.summary = Some(summary);
    response.table = Some(result_table(&lines, ("qbm_item", "QBM item")));
    response.warnings = warnings;
    Ok(response)
}

fn type_label(kind: crate::host_port::ItemType) -> &'static str {
    match kind {
        crate::host_port::ItemType::Inventory => "inventory",
        crate::host_port::ItemType::NonInventory => "non-inventory",
        crate::host_port::ItemType::Service => "service",
    }
}
