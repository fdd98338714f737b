//! Products and variations as WordPress stores them (posts of type `product` / `product_variation`).

use chrono::{DateTime, Utc};

/// A product's type; variations are products of type `variation` with a parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    /// Simple product.
    Simple,
    /// Variable product (parent of variations).
    Variable,
    /// Grouped product.
    Grouped,
    /// External/affiliate product.
    External,
    /// Variation of a variable product.
    Variation,
}

impl ProductKind {
    /// The REST `type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Simple => "simple",
            ProductKind::Variable => "variable",
            ProductKind::Grouped => "grouped",
            ProductKind::External => "external",
            ProductKind::Variation => "variation",
        }
    }

    /// Parses a REST `type` value a client may send.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "simple" => Some(ProductKind::Simple),
            "variable" => Some(ProductKind::Variable),
            "grouped" => Some(ProductKind::Grouped),
            "external" => Some(ProductKind::External),
            _ => None,
        }
    }
}

/// A category or tag reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRef {
    /// Term id.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Slug.
    pub slug: String,
}

/// An attribute on a parent product (`attributes[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductAttribute {
    /// Global attribute id, 0 for a local (custom) attribute.
    pub id: u64,
    /// Display name ("Size").
    pub name: String,
    /// Position among the attributes.
    pub position: i64,
    /// Shown on the product page.
    pub visible: bool,
    /// Used for variations.
    pub variation: bool,
    /// Term names (global) or values (local).
    pub options: Vec<String>,
}

/// A default attribute choice of a variable product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultAttribute {
    /// Global attribute id or 0.
    pub id: u64,
    /// Attribute name.
    pub name: String,
    /// Term slug (global) or value (local).
    pub option: String,
}

/// One attribute value of a variation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariationAttribute {
    /// Global attribute id or 0.
    pub id: u64,
    /// Attribute name ("Size").
    pub name: String,
    /// Term name (global) or value (local), e.g. "M".
    pub option: String,
}

/// A `meta_data` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaEntry {
    /// Meta id.
    pub id: u64,
    /// Key.
    pub key: String,
    /// Value (any JSON).
    pub value: serde_json::Value,
}

/// Weight-and-size strings as WooCommerce stores them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dimensions {
    /// Length.
    pub length: String,
    /// Width.
    pub width: String,
    /// Height.
    pub height: String,
}

/// A product or a variation.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Post id (shared sequence with orders).
    pub id: u64,
    /// Type.
    pub kind: ProductKind,
    /// Parent product id for variations, else 0.
    pub parent_id: u64,
    /// Title. For variations only the attribute part is generated from the attributes.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Post status (`publish`, `draft`, `pending`, `private`, `future`, `trash`).
    pub status: String,
    /// Featured flag.
    pub featured: bool,
    /// Catalog visibility.
    pub catalog_visibility: String,
    /// Long description (raw).
    pub description: String,
    /// Short description (raw).
    pub short_description: String,
    /// The product's own SKU (`""` when it has none; variations then show the parent's).
    pub sku: String,
    /// Regular price as entered (`""` for none).
    pub regular_price: String,
    /// Sale price as entered (`""` for none).
    pub sale_price: String,
    /// Virtual flag.
    pub virtual_product: bool,
    /// Downloadable flag.
    pub downloadable: bool,
    /// `taxable`, `shipping` or `none`.
    pub tax_status: String,
    /// Tax class (`""` standard; variations default to `parent`).
    pub tax_class: String,
    /// The item's own "manage stock" flag.
    pub manage_stock: bool,
    /// The stored quantity (`_stock`); may be set even when not shown.
    pub stock_quantity: Option<i64>,
    /// Stored stock status.
    pub stock_status: String,
    /// `no`, `notify` or `yes`.
    pub backorders: String,
    /// Low stock threshold.
    pub low_stock_amount: Option<i64>,
    /// Sold individually flag.
    pub sold_individually: bool,
    /// Weight.
    pub weight: String,
    /// Dimensions.
    pub dimensions: Dimensions,
    /// Shipping class slug.
    pub shipping_class: String,
    /// Reviews allowed.
    pub reviews_allowed: bool,
    /// Units sold.
    pub total_sales: u64,
    /// Purchase note.
    pub purchase_note: String,
    /// Categories.
    pub categories: Vec<TermRef>,
    /// Tags.
    pub tags: Vec<TermRef>,
    /// Attributes of a parent product.
    pub attributes: Vec<ProductAttribute>,
    /// Default attributes of a variable product.
    pub default_attributes: Vec<DefaultAttribute>,
    /// Attribute values of a variation.
    pub variation_attributes: Vec<VariationAttribute>,
    /// Menu order.
    pub menu_order: i64,
    /// Meta data.
    pub meta_data: Vec<MetaEntry>,
    /// Creation time.
    pub date_created: DateTime<Utc>,
    /// Last save.
    pub date_modified: DateTime<Utc>,
}

impl Product {
    /// A new item with WooCommerce's defaults.
    pub fn new(id: u64, kind: ProductKind, now: DateTime<Utc>) -> Self {
        let is_variation = kind == ProductKind::Variation;
        Product {
            id,
            kind,
            parent_id: 0,
            name: String::new(),
            slug: String::new(),
            status: "publish".to_owned(),
            featured: false,
            catalog_visibility: "visible".to_owned(),
            description: String::new(),
            short_description: String::new(),
            sku: String::new(),
            regular_price: String::new(),
            sale_price: String::new(),
            virtual_product: false,
            downloadable: false,
            tax_status: "taxable".to_owned(),
            tax_class: if is_variation { "parent" } else { "" }.to_owned(),
            manage_stock: false,
            stock_quantity: None,
            stock_status: "instock".to_owned(),
            backorders: "no".to_owned(),
            low_stock_amount: None,
            sold_individually: false,
            weight: String::new(),
            dimensions: Dimensions::default(),
            shipping_class: String::new(),
            reviews_allowed: !is_variation,
            total_sales: 0,
            purchase_note: String::new(),
            categories: if is_variation {
                Vec::new()
            } else {
                vec![uncategorized()]
            },
            tags: Vec::new(),
            attributes: Vec::new(),
            default_attributes: Vec::new(),
            variation_attributes: Vec::new(),
            menu_order: 0,
            meta_data: Vec::new(),
            date_created: now,
            date_modified: now,
        }
    }

    /// True for a variation.
    pub fn is_variation(&self) -> bool {
        self.kind == ProductKind::Variation
    }

    /// True when the item is in the trash.
    pub fn is_trashed(&self) -> bool {
        self.status == "trash"
    }
}

/// WordPress's default product category.
pub fn uncategorized() -> TermRef {
    TermRef {
        id: 15,
        name: "Uncategorized".to_owned(),
        slug: "uncategorized".to_owned(),
    }
}

/// A global attribute (`pa_*` taxonomy) with its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalAttribute {
    /// Attribute id.
    pub id: u64,
    /// Name ("Size").
    pub name: String,
    /// Taxonomy slug without prefix ("size").
    pub slug: String,
    /// Terms: (name, slug).
    pub terms: Vec<(String, String)>,
}

impl GlobalAttribute {
    /// The taxonomy name, e.g. `pa_size`.
    pub fn taxonomy(&self) -> String {
        format!("pa_{}", self.slug)
    }

    /// Finds a term by name or slug, case-insensitively.
    pub fn term(&self, value: &str) -> Option<&(String, String)> {
        self.terms.iter().find(|(name, slug)| {
            name.eq_ignore_ascii_case(value) || slug.eq_ignore_ascii_case(value)
        })
    }
}
