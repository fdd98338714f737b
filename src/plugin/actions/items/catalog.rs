//! Refresh on the WooCommerce Items tab: the store's products and variations (read into the
//! cache by [`crate::sync::engine::catalog`]) with the QBM item each matches.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{ActionContext, ActionResponse};
use crate::host_port::Host;
use crate::plugin::actions::Table;
use crate::plugin::error::{CoreError, CoreResult};
use crate::plugin::screens::tab_columns;
use crate::sync::catalog::{StockMode, WooItem};
use crate::sync::engine::catalog;
use crate::sync::matching::sku_key;

fn stock_text(item: &WooItem) -> Value {
    match item.stock {
        StockMode::Unmanaged => Value::Null,
        _ => item.stock_quantity.map_or(Value::Null, |q| json!(q)),
    }
}

fn managed_text(item: &WooItem) -> &'static str {
    match item.stock {
        StockMode::Unmanaged => "no",
        StockMode::Own => "yes",
        StockMode::Parent => "by parent",
    }
}

/// Rows per page when the host asks for pages and does not say how many.
const DEFAULT_PER_PAGE: u32 = 500;
/// The most rows one page holds.
const MAX_PER_PAGE: u32 = 5_000;

fn number_param(ctx: &ActionContext, key: &str) -> CoreResult<Option<u32>> {
    match ctx.request.params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| {
                CoreError::InvalidArgument(format!("params.{key} must be a whole number from 1"))
            }),
    }
}

/// Refresh on the WooCommerce Items tab. With `params.page` (and `params.per_page`) it answers
/// one page of rows and says how many there are (`paging`), so a host showing a catalog of
/// 100,000 items holds one page of it; without, every row.
pub fn refresh(ctx: &ActionContext) -> CoreResult<ActionResponse> {
    let page = number_param(ctx, "page")?;
    let per_page = number_param(ctx, "per_page")?
        .unwrap_or(DEFAULT_PER_PAGE)
        .min(MAX_PER_PAGE);
    let loaded = ctx.engine(catalog::refresh)?;
    let snapshot = loaded.snapshot;
    let qbm_items = ctx
        .host()
        .all_items(&|| ctx.is_cancelled())?
        .ok_or(CoreError::Cancelled)?;
    let by_lookup = ctx.settings.match_by_lookup_code;
    let mut by_sku: HashMap<String, &str> = HashMap::new();
    let mut by_lookup_code: HashMap<String, &str> = HashMap::new();
    for item in &qbm_items {
        if let Some(sku) = item.sku.as_deref().filter(|s| !s.trim().is_empty()) {
            by_sku.entry(sku_key(sku)).or_insert(&item.code);
        }
        if let Some(code) = item.lookup_code.as_deref().filter(|s| !s.trim().is_empty()) {
            by_lookup_code.entry(sku_key(code)).or_insert(&item.code);
        }
    }
    let mut table = Table::new(tab_columns("items", "woocommerce"));
    let shown = match page {
        Some(page) => {
            let start = (page as usize - 1).saturating_mul(per_page as usize);
            let end = start.saturating_add(per_page as usize);
            snapshot
                .items
                .get(start.min(snapshot.items.len())..end.min(snapshot.items.len()))
                .unwrap_or_default()
        }
        None => &snapshot.items[..],
    };
    for item in shown {
        let qbm_match = item.sku.as_deref().and_then(|sku| {
            by_sku
                .get(&sku_key(sku))
                .map(|code| code.to_string())
                .or_else(|| {
                    by_lookup
                        .then(|| {
                            by_lookup_code
                                .get(&sku_key(sku))
                                .map(|code| format!("{code} (lookup code)"))
                        })
                        .flatten()
                })
        });
        table.push(json!({
            "woo_id": item.id.to_string(),
            "parent_id": item.parent_id.map(|p| p.to_string()),
            "sku": item.sku,
            "name": item.name,
            "type": item.kind,
            "price": item.price.or(item.regular_price).map(|p| p.to_string()),
            "stock": stock_text(item),
            "manage_stock": managed_text(item),
            "qbm_match": qbm_match,
        }));
    }
    let products = snapshot.items.iter().filter(|i| !i.is_variation()).count();
    let variations = snapshot.items.len() - products;
    let how = if loaded.incremental {
        format!(
            "{} changed products and {} of their variations were read",
            loaded.products_read, loaded.variations_read
        )
    } else {
        format!(
            "the whole catalog was read ({} products, {} variations)",
            loaded.products_read, loaded.variations_read
        )
    };
    ctx.plugin.log().info(
        crate::integration_log::Category::Processing,
        &format!("WooCommerce Items refreshed: {how}; {products} products and {variations} variations listed"),
    );
    let mut response = ActionResponse::completed(
        ctx.spec.id,
        format!("{products} products and {variations} variations from WooCommerce; {how}."),
    );
    response.table = Some(table);
    if let Some(page) = page {
        let total = snapshot.items.len() as u64;
        response.paging = Some(json!({
            "page": page,
            "per_page": per_page,
            "total": total,
            "total_pages": total.div_ceil(u64::from(per_page)),
        }));
    }
    Ok(response)
}
