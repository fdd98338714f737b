//! Customer import rules: how a WooCommerce customer (or the buyer on an order) becomes a QBM
//! customer, and when an existing QBM customer is used instead. Pure: the caller looks up links
//! and candidates in QBM with the queries [`lookups`] names, then [`decide_customers`] decides.
//!
//! **What is imported.** First and last name, e-mail, phone, company, and the billing and
//! shipping addresses, each with its own name, company and phone. Text is trimmed and otherwise
//! kept byte for byte (ü, ß, é stay as they are). Fallbacks, in order:
//! * names: the account's first/last name, else the billing address's, else the shipping
//!   address's (accounts created at checkout often carry names only in the billing address);
//! * e-mail: the account e-mail, else the billing e-mail (the account e-mail is the one the
//!   person logs in with, so it identifies them; a different billing e-mail, e.g. an
//!   accounting mailbox, stays on the billing address);
//! * phone: the billing phone, else the shipping phone; none is fine;
//! * company: the billing company, else the shipping company; none is fine;
//! * shipping address: copied only when the store has one. An empty shipping address stays empty
//!   rather than becoming a copy of the billing address: in QBM an empty shipping address means
//!   "ship to the billing address", and a copy would silently go stale when the billing address
//!   is corrected later.
//!
//! **Duplicate policy**, first rule that finds anyone wins:
//! 1. the store customer is already linked to a QBM customer → skipped, "already imported";
//! 2. same e-mail (trimmed, ignoring case) → linked to that QBM customer, nothing created;
//! 3. same phone (see [`phone`] for when two numbers are the same) **and** same last name, with
//!    first names that do not contradict each other (equal, one missing, or one an initial of
//!    the other), so two family members sharing a landline are not merged → linked;
//! 4. same first and last name **and** same company (only when there is a company: a name alone
//!    never links two people) → linked;
//! 5. otherwise a new QBM customer is created.
//!
//! A rule that finds two or more QBM customers does not guess: the store customer is skipped and
//! every candidate is named. A QBM customer already linked to a *different* store customer is not
//! linked a second time (reported, so the owner decides whether the two accounts are one person).
//! Within one import, a store customer selected twice, or two selected store customers that would
//! end up as the same QBM customer (found or new, e.g. the same e-mail twice), are reported: the
//! first one in the selection goes ahead, the others are skipped with its name. A store customer
//! with neither a name nor a company can still be linked (by e-mail or phone) but cannot become a
//! new QBM customer: it is reported as invalid.
//!
//! **Lookups.** The host's customer search matches any one of the criteria it is given and
//! compares phones on digits only, so [`lookups`] asks one question per criterion (the e-mail;
//! each spelling of the phone: `+49…`, `0049…`, `0…`; name together with company) and the
//! decision re-checks every candidate with the rules above. The host's matching only narrows the
//! candidates down; it never decides.

#![warn(missing_docs)]

pub mod phone;

use std::collections::{BTreeSet, HashMap};

use crate::host_port::{Address, Customer, CustomersQuery, Link, LinkKind};
use crate::woo::model as woo;

pub use phone::PhoneKey;

/// The key under which e-mail addresses are compared: trimmed, lower case; `None` for text that
/// is not an address.
pub fn email_key(email: &str) -> Option<String> {
    let email = email.trim();
    (email.contains('@') && email.len() > 2).then(|| email.to_lowercase())
}

/// The key under which names and companies are compared: trimmed, inner spaces collapsed, lower
/// case.
pub fn name_key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn first_non_empty<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    texts
        .into_iter()
        .map(str::trim)
        .find(|t| !t.is_empty())
        .unwrap_or_default()
        .to_string()
}

fn address(a: &woo::Address) -> Address {
    Address {
        first_name: a.first_name.trim().to_string(),
        last_name: a.last_name.trim().to_string(),
        company: a.company.trim().to_string(),
        address_1: a.address_1.trim().to_string(),
        address_2: a.address_2.trim().to_string(),
        city: a.city.trim().to_string(),
        state: a.state.trim().to_string(),
        postcode: a.postcode.trim().to_string(),
        country: a.country.trim().to_string(),
        email: a.email.trim().to_string(),
        phone: a.phone.trim().to_string(),
    }
}

/// A shipping address counts only when it says where to ship.
fn has_postal_address(a: &woo::Address) -> bool {
    [&a.address_1, &a.address_2, &a.city, &a.postcode]
        .iter()
        .any(|field| !field.trim().is_empty())
}

fn from_parts(
    account_first: &str,
    account_last: &str,
    account_email: &str,
    billing: &woo::Address,
    shipping: &woo::Address,
) -> Customer {
    let (first_name, last_name) =
        if !account_first.trim().is_empty() || !account_last.trim().is_empty() {
            (account_first, account_last)
        } else if !billing.first_name.trim().is_empty() || !billing.last_name.trim().is_empty() {
            (billing.first_name.as_str(), billing.last_name.as_str())
        } else {
            (shipping.first_name.as_str(), shipping.last_name.as_str())
        };
    Customer {
        id: None,
        first_name: first_name.trim().to_string(),
        last_name: last_name.trim().to_string(),
        company: first_non_empty([billing.company.as_str(), shipping.company.as_str()]),
        email: first_non_empty([account_email, billing.email.as_str()]),
        phone: first_non_empty([billing.phone.as_str(), shipping.phone.as_str()]),
        billing: address(billing),
        shipping: if has_postal_address(shipping) {
            address(shipping)
        } else {
            Address::default()
        },
    }
}

/// The QBM customer a registered WooCommerce customer becomes.
pub fn customer_from_store(customer: &woo::Customer) -> Customer {
    from_parts(
        &customer.first_name,
        &customer.last_name,
        &customer.email,
        &customer.billing,
        &customer.shipping,
    )
}

/// The QBM customer the buyer of an order becomes (guests, and registered customers whose
/// account was not fetched): everything comes from the order's billing and shipping addresses.
pub fn customer_from_order(order: &woo::Order) -> Customer {
    from_parts("", "", "", &order.billing, &order.shipping)
}

/// Why a customer cannot become a QBM customer, if it cannot.
pub fn invalid_reason(customer: &Customer) -> Option<String> {
    let nameless = customer.first_name.trim().is_empty()
        && customer.last_name.trim().is_empty()
        && customer.company.trim().is_empty();
    nameless.then(|| {
        "the customer has no name and no company in WooCommerce, and QBM needs one of them; add a name to the customer's billing details in WooCommerce and refresh".to_string()
    })
}

/// The country a customer's phone number belongs to.
fn phone_country(customer: &Customer) -> &str {
    [&customer.billing.country, &customer.shipping.country]
        .into_iter()
        .map(|c| c.trim())
        .find(|c| !c.is_empty())
        .unwrap_or("")
}

fn phone_of(customer: &Customer) -> Option<PhoneKey> {
    let raw = [
        &customer.phone,
        &customer.billing.phone,
        &customer.shipping.phone,
    ]
    .into_iter()
    .find(|p| !p.trim().is_empty())?;
    PhoneKey::parse(raw, phone_country(customer))
}

fn email_of(customer: &Customer) -> Option<String> {
    email_key(&customer.email).or_else(|| email_key(&customer.billing.email))
}

fn full_name(customer: &Customer) -> String {
    name_key(&format!("{} {}", customer.first_name, customer.last_name))
}

/// Whether two first names can belong to the same person: equal, one missing, or one the
/// initial of the other ("A." and "Anna").
fn first_names_agree(a: &str, b: &str) -> bool {
    let (a, b) = (name_key(a), name_key(b));
    if a.is_empty() || b.is_empty() || a == b {
        return true;
    }
    let initial = |short: &str, long: &str| {
        let short = short.trim_end_matches('.');
        short.chars().count() == 1 && long.starts_with(short)
    };
    initial(&a, &b) || initial(&b, &a)
}

/// A rule of the duplicate policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchRule {
    /// Same e-mail.
    Email,
    /// Same phone and same last name.
    PhoneAndLastName,
    /// Same first and last name and same company.
    NameAndCompany,
}

impl MatchRule {
    /// The rules in the order they are tried.
    pub const ORDER: [MatchRule; 3] = [
        MatchRule::Email,
        MatchRule::PhoneAndLastName,
        MatchRule::NameAndCompany,
    ];

    /// The rule as a shop owner reads it in a result row.
    pub fn label(self) -> &'static str {
        match self {
            MatchRule::Email => "same e-mail",
            MatchRule::PhoneAndLastName => "same phone and last name",
            MatchRule::NameAndCompany => "same name and company",
        }
    }

    /// Whether `candidate` is the same person as `wanted` under this rule.
    pub fn matches(self, wanted: &Customer, candidate: &Customer) -> bool {
        match self {
            MatchRule::Email => email_of(wanted).is_some_and(|e| email_of(candidate) == Some(e)),
            MatchRule::PhoneAndLastName => {
                let last = name_key(&wanted.last_name);
                !last.is_empty()
                    && last == name_key(&candidate.last_name)
                    && first_names_agree(&wanted.first_name, &candidate.first_name)
                    && phone_of(wanted).is_some_and(|p| phone_of(candidate) == Some(p))
            }
            MatchRule::NameAndCompany => {
                let company = name_key(&wanted.company);
                !company.is_empty()
                    && company == name_key(&candidate.company)
                    && full_name(wanted) == full_name(candidate)
            }
        }
    }
}

/// What the duplicate policy found for one customer among QBM's customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerMatch {
    /// No rule found anyone.
    NoMatch,
    /// Exactly one QBM customer, by the first rule that found anyone.
    Found {
        /// The QBM customer's id.
        qbm_id: String,
        /// The rule that found it.
        rule: MatchRule,
    },
    /// The first rule that found anyone found several.
    Ambiguous {
        /// The rule.
        rule: MatchRule,
        /// Every QBM customer it found, in the host's order.
        qbm_ids: Vec<String>,
    },
}

/// Applies the duplicate policy to `wanted` against the candidates the host returned (in any
/// number of lookups, duplicates allowed); candidates without an id are ignored.
pub fn find_partner(wanted: &Customer, candidates: &[Customer]) -> PartnerMatch {
    for rule in MatchRule::ORDER {
        let mut found: Vec<String> = Vec::new();
        for candidate in candidates {
            let Some(id) = candidate.id.as_deref() else {
                continue;
            };
            if rule.matches(wanted, candidate) && !found.iter().any(|f| f == id) {
                found.push(id.to_string());
            }
        }
        match found.len() {
            0 => continue,
            1 => {
                return PartnerMatch::Found {
                    qbm_id: found.remove(0),
                    rule,
                };
            }
            _ => {
                return PartnerMatch::Ambiguous {
                    rule,
                    qbm_ids: found,
                };
            }
        }
    }
    PartnerMatch::NoMatch
}

/// The host searches that find every QBM customer the policy could match for these customers:
/// one query per criterion, in the order the rules are tried, each asked once even when several
/// customers need it.
pub fn lookups<'a>(customers: impl IntoIterator<Item = &'a Customer>) -> Vec<CustomersQuery> {
    let mut queries: Vec<CustomersQuery> = Vec::new();
    let mut ask = |query: CustomersQuery| {
        if !queries.contains(&query) {
            queries.push(query);
        }
    };
    for customer in customers {
        if let Some(email) = email_of(customer) {
            ask(CustomersQuery {
                email: Some(email),
                ..CustomersQuery::default()
            });
        }
        if let Some(phone) = phone_of(customer) {
            for spelling in phone.host_variants() {
                ask(CustomersQuery {
                    phone: Some(spelling),
                    ..CustomersQuery::default()
                });
            }
        }
        let company = customer.company.trim();
        if !company.is_empty() {
            let name = format!(
                "{} {}",
                customer.first_name.trim(),
                customer.last_name.trim()
            );
            let name = name.trim();
            ask(CustomersQuery {
                name: (!name.is_empty()).then(|| name.to_string()),
                company: Some(company.to_string()),
                ..CustomersQuery::default()
            });
        }
    }
    queries
}

/// Whom a skipped duplicate within the selection is a duplicate of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SameAs {
    /// The same store customer was selected twice.
    SelectedTwice,
    /// Both resolve to this existing QBM customer.
    ExistingPartner {
        /// The QBM customer's id.
        qbm_id: String,
    },
    /// Both would create the same new QBM customer (the rule that says they are one person).
    SamePerson {
        /// The rule.
        rule: MatchRule,
    },
}

/// The decision for one selected store customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerDecision {
    /// Already linked to a QBM customer: nothing to do.
    AlreadyLinked {
        /// The linked QBM customer.
        qbm_id: String,
    },
    /// Link to an existing QBM customer instead of creating one.
    Link {
        /// The QBM customer.
        qbm_id: String,
        /// The rule that found it.
        rule: MatchRule,
    },
    /// Several QBM customers match: nothing is done.
    Ambiguous {
        /// The rule that found them.
        rule: MatchRule,
        /// All of them.
        qbm_ids: Vec<String>,
    },
    /// The matching QBM customer is already linked to another store customer.
    LinkedToOther {
        /// The QBM customer.
        qbm_id: String,
        /// The rule that found it.
        rule: MatchRule,
        /// The store customer it is linked to.
        other_woo_id: String,
    },
    /// Create this QBM customer (and link it).
    Create(Box<Customer>),
    /// Another store customer earlier in the selection already resolves to the same customer.
    DuplicateInSelection {
        /// The store customer that goes ahead.
        first_woo_id: u64,
        /// What both resolve to.
        same_as: SameAs,
    },
    /// Cannot be imported.
    Invalid {
        /// Why, for the shop owner.
        reason: String,
    },
}

impl CustomerDecision {
    /// Whether the decision creates a QBM customer.
    #[cfg(test)]
    pub fn creates(&self) -> bool {
        matches!(self, CustomerDecision::Create(_))
    }

    /// Whether the decision writes a link to an existing QBM customer.
    #[cfg(test)]
    pub fn links(&self) -> bool {
        matches!(self, CustomerDecision::Link { .. })
    }

    /// The result row's text, written for the shop owner.
    pub fn reason(&self) -> String {
        match self {
            CustomerDecision::AlreadyLinked { qbm_id } => {
                format!("already imported as QBM customer {qbm_id}")
            }
            CustomerDecision::Link { qbm_id, rule } => format!(
                "linked to the existing QBM customer {qbm_id} ({}); no new customer created",
                rule.label()
            ),
            CustomerDecision::Ambiguous { rule, qbm_ids } => format!(
                "not imported: QBM customers {} all have the {}; merge or correct them in QBM, then import again",
                join_ids(qbm_ids),
                rule.label().trim_start_matches("same ")
            ),
            CustomerDecision::LinkedToOther {
                qbm_id,
                rule,
                other_woo_id,
            } => format!(
                "not imported: QBM customer {qbm_id} matches ({}) but is already linked to store customer #{other_woo_id}; if both store accounts are the same person, keep one of them",
                rule.label()
            ),
            CustomerDecision::Create(customer) => {
                format!("new QBM customer {}", display_name(customer))
            }
            CustomerDecision::DuplicateInSelection {
                first_woo_id,
                same_as,
            } => match same_as {
                SameAs::SelectedTwice => {
                    "duplicate in the selection: this customer was selected twice".to_string()
                }
                SameAs::ExistingPartner { qbm_id } => format!(
                    "duplicate in the selection: store customer #{first_woo_id} already resolves to QBM customer {qbm_id}"
                ),
                SameAs::SamePerson { rule } => format!(
                    "duplicate in the selection: store customer #{first_woo_id} has the {} and is imported instead",
                    rule.label().trim_start_matches("same ")
                ),
            },
            CustomerDecision::Invalid { reason } => format!("not imported: {reason}"),
        }
    }
}

fn join_ids(ids: &[String]) -> String {
    match ids {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "Anna Schmidt (Schmidt & Söhne GmbH)", "Schmidt & Söhne GmbH", "Ben Müller".
pub fn display_name(customer: &Customer) -> String {
    let name = format!(
        "{} {}",
        customer.first_name.trim(),
        customer.last_name.trim()
    );
    let name = name.trim();
    let company = customer.company.trim();
    match (name.is_empty(), company.is_empty()) {
        (false, false) => format!("{name} ({company})"),
        (false, true) => name.to_string(),
        _ => company.to_string(),
    }
}

/// Customer links by store id and by QBM id.
#[derive(Debug, Default, Clone)]
pub struct CustomerLinks {
    by_woo: HashMap<String, String>,
    by_qbm: HashMap<String, Vec<String>>,
}

impl CustomerLinks {
    /// Indexes the customer links among `links` (other kinds are ignored).
    pub fn new<'a>(links: impl IntoIterator<Item = &'a Link>) -> Self {
        let mut index = CustomerLinks::default();
        for link in links.into_iter().filter(|l| l.kind == LinkKind::Customer) {
            let woo_id = link.woo_id.trim().to_string();
            index
                .by_woo
                .entry(woo_id.clone())
                .or_insert_with(|| link.qbm_id.clone());
            let linked = index.by_qbm.entry(link.qbm_id.clone()).or_default();
            if !linked.contains(&woo_id) {
                linked.push(woo_id);
            }
        }
        index
    }

    /// The QBM customer a store customer is linked to.
    pub fn qbm_for(&self, woo_id: u64) -> Option<&str> {
        self.by_woo.get(&woo_id.to_string()).map(String::as_str)
    }

    /// A store customer other than `woo_id` linked to this QBM customer.
    pub fn other_store_customer(&self, qbm_id: &str, woo_id: Option<u64>) -> Option<&str> {
        let me = woo_id.map(|id| id.to_string());
        self.by_qbm
            .get(qbm_id)?
            .iter()
            .find(|linked| Some(*linked) != me.as_ref())
            .map(String::as_str)
    }
}

/// Decides every selected store customer, in selection order. `selected` pairs each store
/// customer's id with its mapping ([`customer_from_store`]); `links` are the customer links the
/// caller found (for the selected store ids and for the candidates' QBM ids); `candidates` are
/// the QBM customers the [`lookups`] returned.
pub fn decide_customers(
    selected: &[(u64, Customer)],
    links: &CustomerLinks,
    candidates: &[Customer],
) -> Vec<(u64, CustomerDecision)> {
    let mut seen_woo: BTreeSet<u64> = BTreeSet::new();
    // QBM customer id → the first selected store customer resolving to it.
    let mut used_qbm: HashMap<String, u64> = HashMap::new();
    // New customers planned so far, as candidates carrying their store id as id.
    let mut planned: Vec<Customer> = Vec::new();
    let mut out = Vec::with_capacity(selected.len());
    for (woo_id, wanted) in selected {
        let woo_id = *woo_id;
        let decision = if !seen_woo.insert(woo_id) {
            CustomerDecision::DuplicateInSelection {
                first_woo_id: woo_id,
                same_as: SameAs::SelectedTwice,
            }
        } else if let Some(qbm_id) = links.qbm_for(woo_id) {
            CustomerDecision::AlreadyLinked {
                qbm_id: qbm_id.to_string(),
            }
        } else {
            match find_partner(wanted, candidates) {
                PartnerMatch::Found { qbm_id, rule } => {
                    if let Some(first) = used_qbm.get(&qbm_id) {
                        CustomerDecision::DuplicateInSelection {
                            first_woo_id: *first,
                            same_as: SameAs::ExistingPartner { qbm_id },
                        }
                    } else if let Some(other) = links.other_store_customer(&qbm_id, Some(woo_id)) {
                        CustomerDecision::LinkedToOther {
                            other_woo_id: other.to_string(),
                            qbm_id,
                            rule,
                        }
                    } else {
                        used_qbm.insert(qbm_id.clone(), woo_id);
                        CustomerDecision::Link { qbm_id, rule }
                    }
                }
                PartnerMatch::Ambiguous { rule, qbm_ids } => {
                    CustomerDecision::Ambiguous { rule, qbm_ids }
                }
                PartnerMatch::NoMatch => match find_partner(wanted, &planned) {
                    PartnerMatch::Found { qbm_id, rule } => new_duplicate(&qbm_id, rule),
                    PartnerMatch::Ambiguous { rule, qbm_ids } => new_duplicate(&qbm_ids[0], rule),
                    PartnerMatch::NoMatch => {
                        if let Some(reason) = invalid_reason(wanted) {
                            out.push((woo_id, CustomerDecision::Invalid { reason }));
                            continue;
                        }
                        let mut as_planned = wanted.clone();
                        as_planned.id = Some(woo_id.to_string());
                        planned.push(as_planned);
                        CustomerDecision::Create(Box::new(wanted.clone()))
                    }
                },
            }
        };
        out.push((woo_id, decision));
    }
    out
}

/// A later store customer that is the same person as one planned for creation (`planned_id` is
/// that one's store id, as [`decide_customers`] keeps it).
fn new_duplicate(planned_id: &str, rule: MatchRule) -> CustomerDecision {
    CustomerDecision::DuplicateInSelection {
        first_woo_id: planned_id.parse().unwrap_or_default(),
        same_as: SameAs::SamePerson { rule },
    }
}

/// How many of the decisions create, link and skip (failures are the caller's: they happen
/// when the host is asked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg(test)]
pub struct CustomerCounts {
    /// Decisions made.
    pub processed: usize,
    /// New QBM customers.
    pub created: usize,
    /// Linked to existing QBM customers.
    pub linked: usize,
    /// Nothing done (already imported, ambiguous, duplicate, invalid).
    pub skipped: usize,
}

/// Counts the decisions for the result summary.
#[cfg(test)]
pub fn counts<'a>(decisions: impl IntoIterator<Item = &'a CustomerDecision>) -> CustomerCounts {
    let mut counts = CustomerCounts::default();
    for decision in decisions {
        counts.processed += 1;
        if decision.creates() {
            counts.created += 1;
        } else if decision.links() {
            counts.linked += 1;
        } else {
            counts.skipped += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::orders::fixtures;

    fn qbm(id: &str, first: &str, last: &str, company: &str, email: &str, phone: &str) -> Customer {
        Customer {
            id: Some(id.into()),
            first_name: first.into(),
            last_name: last.into(),
            company: company.into(),
            email: email.into(),
            phone: phone.into(),
            billing: Address {
                country: "DE".into(),
                ..Address::default()
            },
            shipping: Address::default(),
        }
    }

    fn wanted(first: &str, last: &str, company: &str, email: &str, phone: &str) -> Customer {
        Customer {
            id: None,
            ..qbm("", first, last, company, email, phone)
        }
    }

    fn anna() -> woo::Customer {
        fixtures::list::<woo::Customer>("GET-customers-by-email.json").remove(0)
    }

    #[test]
    fn recorded_customers_map_field_by_field() {
        let anna = customer_from_store(&anna());
        assert_eq!(
            (anna.first_name.as_str(), anna.last_name.as_str()),
            ("Anna", "Schmidt")
        );
        assert_eq!(
            anna.email, "anna.schmidt@example.test",
            "the account e-mail"
        );
        assert_eq!(
            anna.billing.email, "buchhaltung@schmidt-soehne.example.test",
            "the billing e-mail stays on the billing address"
        );
        assert_eq!(anna.phone, "+49 30 1234567");
        assert_eq!(anna.company, "Schmidt & Söhne GmbH");
        assert_eq!(anna.billing.address_1, "Friedrichstraße 123");
        assert_eq!(anna.billing.address_2, "3. OG");
        assert_eq!(anna.shipping.address_2, "Wareneingang");
        assert_eq!(anna.shipping.company, "Schmidt & Söhne GmbH");
        assert_eq!(anna.id, None);

        let ben: woo::Customer = fixtures::one("GET-customers-id.json");
        let ben = customer_from_store(&ben);
        assert_eq!(
            ben.last_name.as_bytes(),
            "Müller".as_bytes(),
            "byte for byte"
        );
        assert_eq!(ben.phone, "", "no phone is fine");
        assert_eq!(ben.company, "", "no company is fine");
        assert_eq!(ben.shipping.address_1, "Lindwurmstraße 77");
        assert_eq!(ben.shipping.city, "München");

        let guest: woo::Order = fixtures::one("GET-orders-guest-fee.json");
        let gerda = customer_from_order(&guest);
        assert_eq!(
            (gerda.first_name.as_str(), gerda.last_name.as_str()),
            ("Gerda", "Gast")
        );
        assert_eq!(gerda.email, "gerda.gast@example.test");
        assert_eq!(gerda.phone, "0221 55555");
        assert_eq!(gerda.billing.city, "Köln");
        assert_eq!(
            gerda.shipping,
            Address::default(),
            "a guest's empty shipping address stays empty"
        );
    }

    #[test]
    fn fallbacks_when_fields_are_missing() {
        let billing = woo::Address {
            first_name: "  Zoë ".into(),
            last_name: " Straße-Éclair ".into(),
            company: "".into(),
            address_1: " Hauptstraße 1 ".into(),
            city: "Köln".into(),
            country: "DE".into(),
            email: " zoe@example.test ".into(),
            phone: "".into(),
            ..woo::Address::default()
        };
        let shipping = woo::Address {
            company: "Café GmbH".into(),
            phone: "0221 123456".into(),
            ..woo::Address::default()
        };
        let account = woo::Customer {
            id: 9,
            email: "".into(),
            first_name: "".into(),
            last_name: "".into(),
            billing: billing.clone(),
            shipping: shipping.clone(),
            ..woo::Customer::default()
        };
        let mapped = customer_from_store(&account);
        // Names only in the billing address (account created at checkout), trimmed, bytes kept.
        assert_eq!(mapped.first_name, "Zoë");
        assert_eq!(mapped.last_name, "Straße-Éclair");
        // E-mail from billing when the account has none.
        assert_eq!(mapped.email, "zoe@example.test");
        // Phone and company from the shipping address when billing has none.
        assert_eq!(mapped.phone, "0221 123456");
        assert_eq!(mapped.company, "Café GmbH");
        // A shipping address without street, city or postcode is no address.
        assert_eq!(mapped.shipping, Address::default());
        assert_eq!(mapped.billing.address_1, "Hauptstraße 1");

        let nameless = woo::Customer {
            email: "x@example.test".into(),
            ..woo::Customer::default()
        };
        let mapped = customer_from_store(&nameless);
        assert!(invalid_reason(&mapped).is_some());
        assert_eq!(mapped.shipping, Address::default());
        let company_only = Customer {
            company: "Acme".into(),
            ..Customer::default()
        };
        assert_eq!(invalid_reason(&company_only), None);
    }

    #[test]
    fn keys() {
        assert_eq!(
            email_key("  Anna.Schmidt@Example.TEST ").as_deref(),
            Some("anna.schmidt@example.test")
        );
        assert_eq!(email_key(""), None);
        assert_eq!(email_key("n/a"), None);
        assert_eq!(name_key("  Anna   Maria  SCHMIDT "), "anna maria schmidt");
        assert_eq!(name_key("MÜLLER"), "müller");
    }

    #[test]
    fn the_duplicate_policy_in_order() {
        let anna = wanted(
            "Anna",
            "Schmidt",
            "Schmidt & Söhne GmbH",
            "anna@example.test",
            "+49 30 1234567",
        );
        // (candidates, wanted, expected)
        let found = |id: &str, rule| PartnerMatch::Found {
            qbm_id: id.into(),
            rule,
        };
        let cases: Vec<(&str, Vec<Customer>, Customer, PartnerMatch)> = vec![
            (
                "nothing in QBM",
                vec![],
                anna.clone(),
                PartnerMatch::NoMatch,
            ),
            (
                "e-mail, ignoring case and spaces",
                vec![qbm("C1", "A.", "Other", "", " ANNA@example.test ", "")],
                anna.clone(),
                found("C1", MatchRule::Email),
            ),
            (
                "e-mail wins over phone",
                vec![
                    qbm("C1", "Anna", "Schmidt", "", "", "030 1234567"),
                    qbm("C2", "Anna", "Schmidt", "", "anna@example.test", ""),
                ],
                anna.clone(),
                found("C2", MatchRule::Email),
            ),
            (
                "two with that e-mail",
                vec![
                    qbm("C1", "Anna", "Schmidt", "", "anna@example.test", ""),
                    qbm("C2", "Anna", "S.", "", "Anna@Example.test", ""),
                ],
                anna.clone(),
                PartnerMatch::Ambiguous {
                    rule: MatchRule::Email,
                    qbm_ids: vec!["C1".into(), "C2".into()],
                },
            ),
            (
                "the same candidate returned by two lookups is one candidate",
                vec![
                    qbm("C1", "Anna", "Schmidt", "", "anna@example.test", ""),
                    qbm("C1", "Anna", "Schmidt", "", "anna@example.test", ""),
                ],
                anna.clone(),
                found("C1", MatchRule::Email),
            ),
            (
                "phone written nationally, same last name",
                vec![qbm(
                    "C3",
                    "Anna",
                    "SCHMIDT",
                    "",
                    "old@example.test",
                    "030 / 123 45 67",
                )],
                anna.clone(),
                found("C3", MatchRule::PhoneAndLastName),
            ),
            (
                "phone with 0049 and an initial",
                vec![qbm("C3", "A.", "Schmidt", "", "", "0049 30 1234567")],
                anna.clone(),
                found("C3", MatchRule::PhoneAndLastName),
            ),
            (
                "same phone, other last name",
                vec![qbm("C4", "Anna", "Weber", "", "", "+49 30 1234567")],
                anna.clone(),
                PartnerMatch::NoMatch,
            ),
            (
                "same phone and last name, another first name (a family line)",
                vec![qbm("C5", "Hans", "Schmidt", "", "", "+49 30 1234567")],
                anna.clone(),
                PartnerMatch::NoMatch,
            ),
            (
                "name and company",
                vec![qbm("C6", "anna", "schmidt", "SCHMIDT & SÖHNE GMBH", "", "")],
                anna.clone(),
                found("C6", MatchRule::NameAndCompany),
            ),
            (
                "a name alone never links",
                vec![qbm("C7", "Ben", "Müller", "", "", "")],
                wanted("Ben", "Müller", "", "ben@example.test", ""),
                PartnerMatch::NoMatch,
            ),
            (
                "company, other person",
                vec![qbm("C8", "Carl", "Schmidt", "Schmidt & Söhne GmbH", "", "")],
                anna.clone(),
                PartnerMatch::NoMatch,
            ),
            (
                "a company-only customer",
                vec![qbm("C9", "", "", "Acme GmbH", "", "")],
                wanted("", "", "Acme GmbH", "", ""),
                found("C9", MatchRule::NameAndCompany),
            ),
            (
                "candidates without an id are ignored",
                vec![Customer {
                    id: None,
                    ..qbm("", "Anna", "Schmidt", "", "anna@example.test", "")
                }],
                anna.clone(),
                PartnerMatch::NoMatch,
            ),
            (
                "no e-mail on either side is no e-mail match",
                vec![qbm("C10", "X", "Y", "", "", "")],
                wanted("Z", "Y", "", "", ""),
                PartnerMatch::NoMatch,
            ),
        ];
        for (what, candidates, wanted, expected) in cases {
            assert_eq!(find_partner(&wanted, &candidates), expected, "{what}");
        }
    }

    #[test]
    fn one_lookup_per_criterion_and_no_repeats() {
        let anna = customer_from_store(&anna());
        let ben = wanted("Ben", "Müller", "", "BEN@example.test", "");
        let ben_again = wanted("Ben", "Müller", "", "ben@example.test", "");
        let queries = lookups([&anna, &ben, &ben_again]);
        let shown: Vec<String> = queries
            .iter()
            .map(|q| serde_json::to_string(q).unwrap())
            .collect();
        assert_eq!(
            shown,
            [
                r#"{"email":"anna.schmidt@example.test"}"#,
                r#"{"phone":"+49301234567"}"#,
                r#"{"phone":"0049301234567"}"#,
                r#"{"phone":"0301234567"}"#,
                r#"{"name":"Anna Schmidt","company":"Schmidt & Söhne GmbH"}"#,
                r#"{"email":"ben@example.test"}"#,
            ]
        );
    }

    fn link(woo_id: &str, qbm_id: &str) -> Link {
        Link {
            kind: LinkKind::Customer,
            woo_id: woo_id.into(),
            woo_parent_id: None,
            qbm_id: qbm_id.into(),
            created_at: None,
        }
    }

    #[test]
    fn decisions_for_a_selection() {
        let candidates = vec![
            qbm("Q-ANNA", "Anna", "Schmidt", "", "anna@example.test", ""),
            qbm("Q-D1", "Dora", "Dup", "", "dora@example.test", ""),
            qbm("Q-D2", "Dora", "Dup", "", "dora@example.test", ""),
            qbm("Q-ERIK", "Erik", "Link", "", "erik@example.test", ""),
        ];
        let links = CustomerLinks::new(&[
            link("5", "Q-BEN"),
            link("77", "Q-ERIK"),
            Link {
                kind: LinkKind::Item,
                ..link("6", "ITEM")
            },
        ]);
        let selected = vec![
            (4, wanted("Anna", "Schmidt", "", "anna@example.test", "")),
            (5, wanted("Ben", "Müller", "", "ben@example.test", "")),
            (
                6,
                wanted("Clara", "Weber", "", "clara@example.test", "040 987654"),
            ),
            (7, wanted("Dora", "Dup", "", "dora@example.test", "")),
            (8, wanted("Erik", "Link", "", "erik@example.test", "")),
            (9, wanted("", "", "", "nobody@example.test", "")),
            (6, wanted("Clara", "Weber", "", "clara@example.test", "")),
            (10, wanted("Anna", "Schmidt", "", "ANNA@example.test", "")),
            (11, wanted("Clara", "W.", "", "clara@example.test", "")),
            (12, wanted("C.", "Weber", "", "", "+49 40 987654")),
        ];
        let decisions = decide_customers(&selected, &links, &candidates);
        let expected = vec![
            (
                4,
                CustomerDecision::Link {
                    qbm_id: "Q-ANNA".into(),
                    rule: MatchRule::Email,
                },
                "linked to the existing QBM customer Q-ANNA (same e-mail); no new customer created",
            ),
            (
                5,
                CustomerDecision::AlreadyLinked {
                    qbm_id: "Q-BEN".into(),
                },
                "already imported as QBM customer Q-BEN",
            ),
            (
                6,
                CustomerDecision::Create(Box::new(selected[2].1.clone())),
                "new QBM customer Clara Weber",
            ),
            (
                7,
                CustomerDecision::Ambiguous {
                    rule: MatchRule::Email,
                    qbm_ids: vec!["Q-D1".into(), "Q-D2".into()],
                },
                "not imported: QBM customers Q-D1 and Q-D2 all have the e-mail; merge or correct them in QBM, then import again",
            ),
            (
                8,
                CustomerDecision::LinkedToOther {
                    qbm_id: "Q-ERIK".into(),
                    rule: MatchRule::Email,
                    other_woo_id: "77".into(),
                },
                "not imported: QBM customer Q-ERIK matches (same e-mail) but is already linked to store customer #77; if both store accounts are the same person, keep one of them",
            ),
            (
                9,
                CustomerDecision::Invalid {
                    reason: invalid_reason(&selected[5].1).unwrap(),
                },
                "not imported: the customer has no name and no company in WooCommerce, and QBM needs one of them; add a name to the customer's billing details in WooCommerce and refresh",
            ),
            (
                6,
                CustomerDecision::DuplicateInSelection {
                    first_woo_id: 6,
                    same_as: SameAs::SelectedTwice,
                },
                "duplicate in the selection: this customer was selected twice",
            ),
            (
                10,
                CustomerDecision::DuplicateInSelection {
                    first_woo_id: 4,
                    same_as: SameAs::ExistingPartner {
                        qbm_id: "Q-ANNA".into(),
                    },
                },
                "duplicate in the selection: store customer #4 already resolves to QBM customer Q-ANNA",
            ),
            (
                11,
                CustomerDecision::DuplicateInSelection {
                    first_woo_id: 6,
                    same_as: SameAs::SamePerson {
                        rule: MatchRule::Email,
                    },
                },
                "duplicate in the selection: store customer #6 has the e-mail and is imported instead",
            ),
            (
                12,
                CustomerDecision::DuplicateInSelection {
                    first_woo_id: 6,
                    same_as: SameAs::SamePerson {
                        rule: MatchRule::PhoneAndLastName,
                    },
                },
                "duplicate in the selection: store customer #6 has the phone and last name and is imported instead",
            ),
        ];
        assert_eq!(decisions.len(), expected.len());
        for ((woo_id, decision), (want_id, want, text)) in decisions.iter().zip(expected) {
            assert_eq!(
                (*woo_id, decision),
                (want_id, &want),
                "store customer {want_id}"
            );
            assert_eq!(decision.reason(), text);
        }
        assert_eq!(
            counts(decisions.iter().map(|(_, d)| d)),
            CustomerCounts {
                processed: 10,
                created: 1,
                linked: 1,
                skipped: 8
            }
        );
    }

    #[test]
    fn a_nameless_store_customer_can_be_linked_but_not_created() {
        let candidates = vec![qbm("Q-F", "Frida", "Kahlo", "", "frida@example.test", "")];
        let selected = vec![
            (20, wanted("", "", "", "FRIDA@example.test", "")),
            (21, wanted("", "", "", "someone@example.test", "")),
        ];
        let decisions = decide_customers(&selected, &CustomerLinks::default(), &candidates);
        assert_eq!(
            decisions[0].1,
            CustomerDecision::Link {
                qbm_id: "Q-F".into(),
                rule: MatchRule::Email
            }
        );
        assert!(matches!(decisions[1].1, CustomerDecision::Invalid { .. }));
    }

    #[test]
    fn display_names() {
        assert_eq!(
            display_name(&wanted("Anna", "Schmidt", "Schmidt & Söhne GmbH", "", "")),
            "Anna Schmidt (Schmidt & Söhne GmbH)"
        );
        assert_eq!(display_name(&wanted("", "", "Acme", "", "")), "Acme");
        assert_eq!(display_name(&wanted("", "Weber", "", "", "")), "Weber");
    }
}
