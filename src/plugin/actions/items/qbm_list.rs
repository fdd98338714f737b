//! The QBM Items tab: every QBM item with its store match, online price and online stock (from the
//! cached catalog, which is loaded when there is none).

use serde_json::{Value, json};

use super::{ActionContext, ActionResponse};
use crate::host_port::Host;
use crate::plugin::actions::Table;
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::screens::tab_columns;
use crate::sync::catalog::{StockMode, WooItem};
use crate::sync::engine::{catalog, gather};
use crate::sync::matching::ItemMatch;

fn describe(woo: &WooItem) -> String {
    match woo.parent_id {
        Some(parent) => format!("variation {} of {parent}: {}", woo.id, woo.name),
        None => format!("{} {}: {}", woo.kind, woo.id, woo.name),
    }
}

pub fn refresh(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let snapshot = ctx.engine(catalog::ensure)?;
    let items = ctx
        .host()
        .all_items(&|| ctx.is_cancelled())?
        .ok_or(CoreError::Cancelled)?;
    let (matches, by_id) =
        gather::match_all(&items, &snapshot.items, ctx.settings.match_by_lookup_code);
    let ids: Vec<String> = items.iter().filter_map(|i| i.id.clone()).collect();
    let on_hand = ctx.engine(|engine| gather::quantities(engine, &ids))?;
    let mut table = Table::new(tab_columns("items", "qbm"));
    let mut matched = 0;
    for item in &items {
        let id = item.id.clone().unwrap_or_default();
        let (found, by, note) = match matches.get(&id) {
            Some(ItemMatch::Found { woo_id, by }) => {
                (by_id.get(woo_id).copied(), Some(by.label()), None)
            }
            Some(ItemMatch::Ambiguous { code, woo_ids }) => (
                None,
                None,
                Some(format!("several store items have {code}: {woo_ids:?}")),
            ),
            _ => (None, None, None),
        };
        if found.is_some() {
            matched += 1;
        }
        let qbm_stock = match on_hand.get(&id) {
            Some(Ok(q)) => json!(q),
            Some(Err(err)) => json!(err.to_string()),
            None => Value::Null,
        };
        table.push(json!({
            "item_id": id,
            "code": item.code,
            "name": item.name,
            "sku": item.sku,
            "lookup_code": item.lookup_code,
            "price": item.price.map(|p| p.to_string()),
            "qbm_stock": qbm_stock,
            "match": found.map(describe).or(note),
            "matched_by": by,
            "online_price": found.and_then(|w| w.price.or(w.regular_price)).map(|p| p.to_string()),
            "online_stock": found
                .filter(|w| w.stock != StockMode::Unmanaged)
                .and_then(|w| w.stock_quantity),
        }));
    }
    let loaded = snapshot.loaded_at.map_or(String::new(), |at| {
        format!(
            " (store data cached at {})",
            at.format("%Y-%m-%d %H:%M UTC")
        )
    });
    let mut response = ActionResponse::completed(
        ctx.spec.id,
        format!(
            "{} QBM items, {matched} matched in WooCommerce{loaded}.",
            items.len()
        ),
    );
    response.table = Some(table);
    Ok(response)
}
