//! A deterministic catalog generator: the same [`SeedSpec`] always builds the same store.
//!
//! Everything is created through the same write paths as REST requests, with the store clock
//! set to the generated dates, so the data obeys the same rules as data created by a client.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::seq::IndexedRandom as _;
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::customer_write::create_customer;
use super::fields::Mode;
use super::model::{Coupon, StoreData, StoreSettings, TermRef, size_attribute};
use super::order_write::create_order;
use super::product_write::{create_product, create_variation};
use super::refund_write::{create_refund, full_refund_args};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedSpec {
    /// Generator seed.
    pub seed: u64,
    /// Number of parent products (simple and variable).
    pub products: usize,
    /// When set, products are made until the catalog holds exactly this many items (simple
    /// products, variable products and their variations: every one shows a SKU), and
    /// `products` is ignored.
    pub skus: Option<usize>,
    /// Share of variable products (0.0–1.0).
    pub variable_share: f32,
    /// Share of variable products whose stock the parent manages (0.0–1.0); about half of their
    /// variations then leave their stock to it.
    pub parent_managed_share: f64,
    /// Variations per variable product.
    pub variations_per_product: RangeInclusive<usize>,
    /// Number of customers.
    pub customers: usize,
    /// Number of orders.
    pub orders: usize,
    /// Orders are spread over this range (UTC).
    pub order_dates: (DateTime<Utc>, DateTime<Utc>),
    /// Load the recorded fixture store instead of generating one.
    pub fixtures: bool,
}

impl Default for SeedSpec {
    fn default() -> Self {
        let day = |d: u32| {
            NaiveDate::from_ymd_opt(2026, 10, d)
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .map_or_else(Utc::now, |t| t.and_utc())
        };
        SeedSpec {
            seed: 1,
            products: 50,
            skus: None,
            variable_share: 0.2,
            parent_managed_share: 0.4,
            variations_per_product: 2..=6,
            customers: 20,
            orders: 40,
            order_dates: (day(1), day(31)),
            fixtures: false,
        }
    }
}

impl SeedSpec {
    /// The recorded fixture store (`FX-MUG` 1029 … orders 1040–1045).
    pub fn fixtures() -> Self {
        SeedSpec {
            fixtures: true,
            ..SeedSpec::default()
        }
    }
}

const ADJECTIVES: [&str; 16] = [
    "Classic",
    "Premium",
    "Eco",
    "Vintage",
    "Urban",
    "Nordic",
    "Compact",
    "Deluxe",
    "Essential",
    "Rustic",
    "Modern",
    "Travel",
    "Organic",
    "Heavy-Duty",
    "Soft",
    "Bright",
];
const CATEGORIES: [(u64, &str, &str, &[&str]); 5] = [
    (
        16,
        "Mugs & Cups",
        "mugs-cups",
        &["Mug", "Travel Cup", "Espresso Cup", "Tea Glass"],
    ),
    (
        17,
        "Apparel",
        "apparel",
        &["T-Shirt", "Hoodie", "Cap", "Polo Shirt", "Sweater"],
    ),
    (
        18,
        "Posters",
        "posters",
        &["Poster", "Art Print", "Wall Calendar"],
    ),
    (
        19,
        "Stationery",
        "stationery",
        &["Notebook", "Pen Set", "Planner", "Sketchbook"],
    ),
    (
        20,
        "Home",
        "home",
        &["Candle", "Cushion", "Blanket", "Vase", "Lamp"],
    ),
];
const SIZES: [&str; 4] = ["S", "M", "L", "XL"];
const COLORS: [&str; 5] = ["Red", "Blue", "Green", "Black", "White"];
const FIRST_NAMES: [&str; 20] = [
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Klara",
    "Lukas", "Marie", "Noah", "Olivia", "Paul", "Sophie", "Tom", "Lea", "Max",
];
const LAST_NAMES: [&str; 16] = [
    "Schmidt",
    "Müller",
    "Weber",
    "Fischer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
];
const CITIES: [(&str, &str, &str); 8] = [
    ("Berlin", "10115", "BE"),
    ("Hamburg", "20095", "HH"),
    ("München", "80331", "BY"),
    ("Köln", "50667", "NW"),
    ("Frankfurt am Main", "60311", "HE"),
    ("Stuttgart", "70173", "BW"),
    ("Leipzig", "04109", "SN"),
    ("Dresden", "01067", "SN"),
];
const STREETS: [&str; 10] = [
    "Hauptstraße",
    "Bahnhofstraße",
    "Gartenweg",
    "Lindenallee",
    "Schulstraße",
    "Am Markt",
    "Kirchgasse",
    "Bergstraße",
    "Friedrichstraße",
    "Rosenweg",
];
const COMPANIES: [&str; 6] = [
    "Müller & Partner GmbH",
    "Nordlicht AG",
    "Weber Handels KG",
    "Atelier Blau",
    "Kaffeehaus Sonne",
    "Schmidt Logistik GmbH",
];

fn price(rng: &mut ChaCha8Rng, low: i64, high: i64) -> Decimal {
    // Whole euros with .50/.90/.95/.99 endings, like shop prices.
    let euros = rng.random_range(low..=high);
    let cents = *[50, 90, 95, 99, 0].choose(rng).unwrap_or(&90);
    Decimal::new(euros * 100 + cents, 2)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn ascii_lower(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ä' => "ae".to_owned(),
            'ö' => "oe".to_owned(),
            'ü' => "ue".to_owned(),
            'ß' => "ss".to_owned(),
            other => other.to_lowercase().to_string(),
        })
        .collect()
}

/// Builds a store from `spec` with `settings`.
pub fn generate(spec: &SeedSpec, settings: StoreSettings) -> StoreData {
    if spec.fixtures {
        return super::fixtures::fixture_catalog_with(settings);
    }
    let mut data = StoreData::new(settings);
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let (start, end) = if spec.order_dates.0 <= spec.order_dates.1 {
        spec.order_dates
    } else {
        (spec.order_dates.1, spec.order_dates.0)
    };
    let catalog_start = start - Duration::days(90);
    data.categories
        .extend(CATEGORIES.iter().map(|(id, name, slug, _)| TermRef {
            id: *id,
            name: (*name).to_owned(),
            slug: (*slug).to_owned(),
        }));
    data.attributes = vec![size_attribute()];
    data.coupons = vec![
        Coupon {
            id: data.alloc_post_id(),
            code: "welcome10".to_owned(),
            discount_type: "percent".to_owned(),
            amount: Decimal::from(10),
            usage_count: 0,
            used_by: Vec::new(),
        },
        Coupon {
            id: data.alloc_post_id(),
            code: "save5".to_owned(),
            discount_type: "fixed_cart".to_owned(),
            amount: Decimal::from(5),
            usage_count: 0,
            used_by: Vec::new(),
        },
    ];
    generate_products(&mut data, &mut rng, spec, catalog_start);
    let customers = generate_customers(&mut data, &mut rng, spec, catalog_start);
    generate_orders(&mut data, &mut rng, spec, (start, end), &customers);
    data.clock.reset();
    data
}

fn spread(rng: &mut ChaCha8Rng, from: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    from + Duration::seconds(rng.random_range(0..days.max(1) * 86_400))
}

fn generate_products(
    data: &mut StoreData,
    rng: &mut ChaCha8Rng,
    spec: &SeedSpec,
    catalog_start: DateTime<Utc>,
) {
    let mut missing_sku_done = false;
    let mut items = 0usize;
    for index in 1.. {
        let left = match spec.skus {
            Some(target) if items >= target => break,
            Some(target) => target - items,
            None if index > spec.products => break,
            None => usize::MAX,
        };
        let when = catalog_start + Duration::minutes(i64::try_from(index).unwrap_or(0) * 37);
        data.clock.freeze_at(when);
        let sku = format!("SKU-{index:06}");
        let &(category_id, _, _, nouns) = CATEGORIES.choose(rng).unwrap_or(&CATEGORIES[0]);
        let noun = nouns.choose(rng).copied().unwrap_or("Item");
        let name = format!(
            "{} {noun}",
            ADJECTIVES.choose(rng).copied().unwrap_or("Classic")
        );
        // A variable product needs room for itself and one variation.
        let variable = rng.random::<f32>() < spec.variable_share && left >= 2;
        if !variable {
            items += 1;
            let regular = price(rng, 2, 120);
            let mut body = json!({
                "name": name, "type": "simple", "status": "publish", "sku": sku,
                "regular_price": regular.to_string(),
                "categories": [{"id": category_id}],
                "weight": format!("{:.2}", rng.random_range(0.1..3.0)),
                "short_description": format!("{name} from our {noun} range."),
            });
            if rng.random_bool(0.15) {
                let sale = (regular * Decimal::new(8, 1)).round_dp(2);
                body["sale_price"] = json!(sale.to_string());
            }
            match rng.random_range(0..100) {
                0..15 => {
                    body["manage_stock"] = json!(false);
                    if rng.random_bool(0.3) {
                        body["virtual"] = json!(true);
                    }
                }
                15..25 => {
                    body["manage_stock"] = json!(true);
                    body["stock_quantity"] = json!(0);
                }
                _ => {
                    body["manage_stock"] = json!(true);
                    body["stock_quantity"] = json!(rng.random_range(1..=200));
                }
            }
            if rng.random_bool(0.05) {
                body["regular_price"] = json!("");
                body.as_object_mut().map(|m| m.remove("sale_price"));
            }
            if rng.random_bool(0.1) {
                let ean = format!("40{:011}", rng.random_range(0..100_000_000_000u64));
                body["meta_data"] = json!([{"key": "ean", "value": ean}]);
            }
            let _ = create_product(data, &object(body), Mode::Schema);
            continue;
        }
        let parent_manages = rng.random_bool(spec.parent_managed_share.clamp(0.0, 1.0));
        let mut sizes: Vec<&str> = SIZES.to_vec();
        let color_count = rng.random_range(1..=3);
        let colors: Vec<&str> = COLORS.choose_multiple(rng, color_count).copied().collect();
        let wanted = rng
            .random_range(spec.variations_per_product.clone())
            .min(sizes.len() * colors.len())
            .min(left - 1)
            .max(1);
        sizes.truncate(sizes.len().min(wanted.div_ceil(colors.len()).max(1)));
        let mut body = json!({
            "name": name, "type": "variable", "status": "publish", "sku": sku,
            "categories": [{"id": category_id}],
            "attributes": [
                {"id": 1, "position": 0, "visible": true, "variation": true, "options": sizes},
                {"name": "Color", "position": 1, "visible": true, "variation": true, "options": colors}
            ],
            "default_attributes": [{"id": 1, "option": sizes[0]}, {"name": "Color", "option": colors[0]}],
        });
        if parent_manages {
            body["manage_stock"] = json!(true);
            body["stock_quantity"] = json!(rng.random_range(5..=100));
        }
        let Ok(parent) = create_product(data, &object(body), Mode::Schema) else {
            continue;
        };
        items += 1 + wanted;
        let base = price(rng, 10, 80);
        let mut made = 0;
        'combos: for size in &sizes {
            for color in &colors {
                if made == wanted {
                    break 'combos;
                }
                made += 1;
                let regular = base + Decimal::from(i64::try_from(made).unwrap_or(0) / 3);
                let mut variation = json!({
                    "sku": format!("{sku}-{size}-{}", color.to_uppercase()),
                    "regular_price": regular.to_string(),
                    "attributes": [{"id": 1, "option": size}, {"name": "Color", "option": color}],
                });
                if !missing_sku_done && made == wanted {
                    variation["sku"] = json!("");
                    missing_sku_done = true;
                }
                if (parent_manages && rng.random_bool(0.5)) || rng.random_bool(0.1) {
                    variation["manage_stock"] = json!(false);
                } else {
                    variation["manage_stock"] = json!(true);
                    variation["stock_quantity"] = json!(rng.random_range(0..=60));
                }
                if rng.random_bool(0.15) {
                    let sale = (regular * Decimal::new(85, 2)).round_dp(2);
                    variation["sale_price"] = json!(sale.to_string());
                }
                let _ = create_variation(data, parent, &object(variation), Mode::Batch);
            }
        }
    }
}

fn generate_customers(
    data: &mut StoreData,
    rng: &mut ChaCha8Rng,
    spec: &SeedSpec,
    catalog_start: DateTime<Utc>,
) -> Vec<u64> {
    let mut ids = Vec::new();
    for index in 1..=spec.customers {
        data.clock.freeze_at(spread(rng, catalog_start, 80));
        let first = FIRST_NAMES.choose(rng).copied().unwrap_or("Alex");
        let last = LAST_NAMES.choose(rng).copied().unwrap_or("Muster");
        let email = format!(
            "{}.{}{index}@example.test",
            ascii_lower(first),
            ascii_lower(last)
        );
        let &(city, postcode, state) = CITIES.choose(rng).unwrap_or(&CITIES[0]);
        let street = format!(
            "{} {}",
            STREETS.choose(rng).copied().unwrap_or("Hauptstraße"),
            rng.random_range(1..=120)
        );
        let phone = if rng.random_bool(0.8) {
            format!(
                "0{} {}",
                rng.random_range(30..=999),
                rng.random_range(100_000..=9_999_999)
            )
        } else {
            String::new()
        };
        let company = if rng.random_bool(0.25) {
            COMPANIES.choose(rng).copied().unwrap_or("").to_owned()
        } else {
            String::new()
        };
        let shipping_line_2 = if rng.random_bool(0.2) {
            "Hinterhaus".to_owned()
        } else {
            String::new()
        };
        let body = json!({
            "email": email, "first_name": first, "last_name": last,
            "billing": {"first_name": first, "last_name": last, "company": company, "address_1": street,
                        "address_2": "", "city": city, "state": state, "postcode": postcode, "country": "DE",
                        "email": email, "phone": phone},
            "shipping": {"first_name": first, "last_name": last, "company": company, "address_1": street,
                         "address_2": shipping_line_2, "city": city, "state": state, "postcode": postcode,
                         "country": "DE"}
        });
        if let Ok(id) = create_customer(data, &object(body), Mode::Schema) {
            ids.push(id);
        }
    }
    ids
}

fn orderable(data: &StoreData) -> Vec<(u64, u64)> {
    data.products
        .values()
        .filter(|p| p.kind != super::model::ProductKind::Variable)
        .filter(|p| p.status == "publish" && !data.active_price(p).is_empty())
        .map(|p| {
            if p.is_variation() {
                (p.parent_id, p.id)
            } else {
                (p.id, 0)
            }
        })
        .collect()
}

fn generate_orders(
    data: &mut StoreData,
    rng: &mut ChaCha8Rng,
    spec: &SeedSpec,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    customers: &[u64],
) {
    let candidates = orderable(data);
    if candidates.is_empty() {
        return;
    }
    let span = (end - start).num_seconds().max(1);
    let mut dates: Vec<DateTime<Utc>> = (0..spec.orders)
        .map(|_| start + Duration::seconds(rng.random_range(0..span)))
        .collect();
    dates.sort();
    for when in dates {
        data.clock.freeze_at(when);
        let guest = customers.is_empty() || rng.random_bool(0.25);
        let mut lines = Vec::new();
        for _ in 0..rng.random_range(1..=4) {
            let &(product_id, variation_id) = candidates.choose(rng).unwrap_or(&candidates[0]);
            let line = if variation_id > 0 {
                json!({"product_id": product_id, "variation_id": variation_id,
                       "quantity": rng.random_range(1..=3)})
            } else {
                json!({"product_id": product_id, "quantity": rng.random_range(1..=3)})
            };
            lines.push(line);
        }
        let (status, paid) = match rng.random_range(0..100) {
            0..35 => ("processing", true),
            35..70 => ("completed", true),
            70..80 => ("on-hold", false),
            80..90 => ("pending", false),
            90..95 => ("cancelled", false),
            _ => ("refunded", true),
        };
        let (method, title) = if rng.random_bool(0.7) {
            ("bacs", "Direct bank transfer")
        } else {
            ("cod", "Cash on delivery")
        };
        let mut body = json!({
            "payment_method": method, "payment_method_title": title,
            "line_items": lines,
        });
        if guest {
            let first = FIRST_NAMES.choose(rng).copied().unwrap_or("Gast");
            let last = LAST_NAMES.choose(rng).copied().unwrap_or("Kunde");
            let &(city, postcode, state) = CITIES.choose(rng).unwrap_or(&CITIES[0]);
            body["customer_id"] = json!(0);
            body["billing"] = json!({
                "first_name": first, "last_name": last,
                "address_1": format!("{} {}", STREETS.choose(rng).copied().unwrap_or("Weg"), rng.random_range(1..=80)),
                "city": city, "state": state, "postcode": postcode, "country": "DE",
                "email": format!("{}.{}@guest.example.test", ascii_lower(first), ascii_lower(last)),
                "phone": ""
            });
        } else {
            let customer_id = *customers.choose(rng).unwrap_or(&customers[0]);
            body["customer_id"] = json!(customer_id);
            if let Some(c) = data.customers.get(&customer_id) {
                body["billing"] = json!({
                    "first_name": c.billing.first_name, "last_name": c.billing.last_name,
                    "company": c.billing.company, "address_1": c.billing.address_1,
                    "address_2": c.billing.address_2, "city": c.billing.city, "state": c.billing.state,
                    "postcode": c.billing.postcode, "country": c.billing.country,
                    "email": c.billing.email, "phone": c.billing.phone
                });
                body["shipping"] = json!({
                    "first_name": c.shipping.first_name, "last_name": c.shipping.last_name,
                    "company": c.shipping.company, "address_1": c.shipping.address_1,
                    "address_2": c.shipping.address_2, "city": c.shipping.city, "state": c.shipping.state,
                    "postcode": c.shipping.postcode, "country": c.shipping.country
                });
            }
        }
        if rng.random_bool(0.7) {
            body["shipping_lines"] = json!([{"method_id": "flat_rate", "instance_id": "1",
                                             "method_title": "Versand (Pauschal)", "total": "4.90"}]);
        }
        if rng.random_bool(0.1) {
            body["fee_lines"] = json!([{"name": "Geschenkverpackung", "total": "2.50",
                                        "tax_status": "taxable", "tax_class": ""}]);
        }
        if rng.random_bool(0.15) {
            let code = if rng.random_bool(0.5) {
                "welcome10"
            } else {
                "save5"
            };
            body["coupon_lines"] = json!([{"code": code}]);
        }
        if paid {
            body["set_paid"] = json!(true);
        }
        match status {
            "on-hold" | "pending" => body["status"] = json!(status),
            "cancelled" => body["status"] = json!("processing"),
            _ => {}
        }
        let Ok(id) = create_order(data, &object(body), Mode::Schema) else {
            continue;
        };
        if status == "cancelled" || status == "completed" {
            if let Some(mut order) = data.orders.remove(&id) {
                if status == "cancelled" {
                    data.clock.advance(Duration::hours(2));
                }
                super::order_write::change_status(data, &mut order, status);
                order.date_modified = data.now();
                data.orders.insert(id, order);
            }
        } else if status == "refunded" {
            data.clock.advance(Duration::days(3));
            let decimals = data.settings.decimals;
            if let Some(args) = data
                .orders
                .get(&id)
                .map(|o| full_refund_args(o, decimals, "Rücksendung"))
            {
                let _ = create_refund(data, id, &args);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> SeedSpec {
        SeedSpec {
            seed: 7,
            products: 30,
            variable_share: 0.3,
            variations_per_product: 2..=5,
            customers: 8,
            orders: 25,
            ..SeedSpec::default()
        }
    }

    fn settings() -> StoreSettings {
        StoreSettings::new("EUR", chrono_tz::Europe::Berlin)
    }

    #[test]
    fn the_same_seed_builds_the_same_store() {
        let a = generate(&small(), settings());
        let b = generate(&small(), settings());
        assert_eq!(a.products, b.products);
        assert_eq!(a.customers, b.customers);
        assert_eq!(a.orders, b.orders);
        let other = generate(&SeedSpec { seed: 8, ..small() }, settings());
        assert_ne!(a.products, other.products);
    }

    #[test]
    fn the_catalog_has_the_promised_variety() {
        let data = generate(&small(), settings());
        let parents = data.products.values().filter(|p| !p.is_variation()).count();
        assert_eq!(parents, 30);
        let variations: Vec<_> = data
            .products
            .values()
            .filter(|p| p.is_variation())
            .collect();
        assert!(!variations.is_empty());
        assert!(variations.iter().any(|v| v.sku.is_empty()));
        assert!(
            variations
                .iter()
                .any(|v| v.sku.starts_with("SKU-") && v.sku.matches('-').count() == 3)
        );
        assert!(
            data.products
                .values()
                .any(|p| !p.manage_stock && !p.is_variation())
        );
        assert!(data.products.values().any(|p| p.stock_quantity == Some(0)));
        assert_eq!(data.orders.len(), 25);
        assert!(data.orders.values().any(|o| o.customer_id == 0));
        assert!(data.orders.values().any(|o| o.customer_id > 0));
        let statuses: std::collections::BTreeSet<&str> =
            data.orders.values().map(|o| o.status.as_str()).collect();
        assert!(statuses.len() >= 3, "{statuses:?}");
        assert!(data.customers.values().any(|c| c.billing.phone.is_empty()));
    }
}
