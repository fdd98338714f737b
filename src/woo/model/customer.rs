//! Registered customers (`/customers`). Guests exist only inside orders.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::{Address, MetaData};
use super::lenient;

/// A registered customer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Customer {
    /// WordPress user id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: u64,
    /// Account e-mail.
    #[serde(deserialize_with = "lenient::string")]
    pub email: String,
    /// First name.
    #[serde(deserialize_with = "lenient::string")]
    pub first_name: String,
    /// Last name.
    #[serde(deserialize_with = "lenient::string")]
    pub last_name: String,
    /// WordPress role (`customer`, …).
    #[serde(deserialize_with = "lenient::string")]
    pub role: String,
    /// Login name.
    #[serde(deserialize_with = "lenient::string")]
    pub username: String,
    /// Billing address (with e-mail and phone).
    #[serde(deserialize_with = "lenient::object")]
    pub billing: Address,
    /// Shipping address.
    #[serde(deserialize_with = "lenient::object")]
    pub shipping: Address,
    /// Has paid at least one order.
    #[serde(deserialize_with = "lenient::boolean")]
    pub is_paying_customer: bool,
    /// Avatar URL.
    #[serde(deserialize_with = "lenient::string")]
    pub avatar_url: String,
    /// Registered, site-local.
    #[serde(deserialize_with = "lenient::local_date")]
    pub date_created: Option<NaiveDateTime>,
    /// Registered, UTC.
    #[serde(deserialize_with = "lenient::gmt_date")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    /// Modified, site-local (may be `null`).
    #[serde(deserialize_with = "lenient::local_date")]
    pub date_modified: Option<NaiveDateTime>,
    /// Modified, UTC (may be `null`).
    #[serde(deserialize_with = "lenient::gmt_date")]
    pub date_modified_gmt: Option<DateTime<Utc>>,
    /// Meta data.
    #[serde(deserialize_with = "lenient::list")]
    pub meta_data: Vec<MetaData>,
}
