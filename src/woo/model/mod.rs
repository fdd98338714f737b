//! Typed records of the WooCommerce REST API v3, decoded leniently (see [`lenient`]).
//!
//! Every struct defaults missing fields and ignores unknown ones. Money is
//! [`rust_decimal::Decimal`]; `*_gmt` dates are `DateTime<Utc>`, site-local dates stay
//! `NaiveDateTime`.

pub mod batch;
pub mod common;
pub mod customer;
pub mod error;
pub mod index;
pub mod lenient;
pub mod order;
pub mod product;
pub mod settings;
pub mod system;
pub mod variation;
pub mod write;

pub use batch::{BatchOutcome, ItemError};
pub use common::{Address, Dimensions, MetaData, TermRef};
pub use customer::Customer;
pub use error::{ApiErrorBody, ErrorData};
pub use index::WpIndex;
pub use lenient::ManageStock;
pub use order::{
    CouponLine, FeeLine, LineImage, LineItem, LineMeta, LineTax, Order, OrderRefundRef, Refund,
    ShippingLine, TaxLine,
};
pub use product::{Product, ProductAttribute, ProductImage};
pub use settings::SettingValue;
pub use system::{SystemEnvironment, SystemSettings, SystemStatus};
pub use variation::{Variation, VariationAttribute, variation_has_own_sku};
pub use write::{ProductWrite, VariationWrite, WriteAttribute, WriteTerm};
