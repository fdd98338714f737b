//! Customers (WordPress users) and addresses.

use chrono::{DateTime, Utc};

use super::product::MetaEntry;

/// A billing or shipping address. `email` is used on billing addresses only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company.
    pub company: String,
    /// Address line 1.
    pub address_1: String,
    /// Address line 2.
    pub address_2: String,
    /// City.
    pub city: String,
    /// State code or text.
    pub state: String,
    /// Postcode.
    pub postcode: String,
    /// ISO country code.
    pub country: String,
    /// E-mail (billing only).
    pub email: String,
    /// Phone.
    pub phone: String,
}

/// A registered user.
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// User id (its own sequence, not shared with posts).
    pub id: u64,
    /// Account e-mail.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// WordPress role (`customer`, `administrator`, `shop_manager`, `subscriber`, …).
    pub role: String,
    /// Login name.
    pub username: String,
    /// Public display name. WooCommerce saves customers with an empty one, which WordPress
    /// replaces by the login; only an edit in WP admin changes it.
    pub display_name: String,
    /// Website (`user_url`), usually empty for customers.
    pub url: String,
    /// Billing address.
    pub billing: Address,
    /// Shipping address.
    pub shipping: Address,
    /// Set once an order of this customer was paid.
    pub is_paying_customer: bool,
    /// Registration time.
    pub date_created: DateTime<Utc>,
    /// Last save (`null` for users never saved through WooCommerce).
    pub date_modified: Option<DateTime<Utc>>,
    /// Meta data.
    pub meta_data: Vec<MetaEntry>,
}

impl Customer {
    /// `user_nicename`: the login made into a slug, at most 50 characters.
    pub fn nicename(&self) -> String {
        super::sanitize_title(&self.username)
            .chars()
            .take(50)
            .collect()
    }

    /// A customer with empty addresses.
    pub fn new(id: u64, email: &str, username: &str, now: DateTime<Utc>) -> Self {
        Customer {
            id,
            email: email.to_owned(),
            first_name: String::new(),
            last_name: String::new(),
            role: "customer".to_owned(),
            username: username.to_owned(),
            display_name: username.to_owned(),
            url: String::new(),
            billing: Address::default(),
            shipping: Address::default(),
            is_paying_customer: false,
            date_created: now,
            date_modified: Some(now),
            meta_data: Vec::new(),
        }
    }
}
