//! `GET /customers` as WooCommerce runs it through `WP_User_Query`: role (default `customer`),
//! the user search on login, e-mail, website, nicename and display name, the exact `email`
//! filter, ordering, include/exclude and paging with totals.

mod store_support;

use serde_json::{Value, json};
use store_support::{Sim, recording};

const CUSTOMERS: &str = "/wp-json/wc/v3/customers";

fn ids(body: &Value) -> Vec<u64> {
    body.as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_u64()).collect())
        .unwrap_or_default()
}

async fn list(sim: &Sim, query: &[(&str, &str)]) -> Vec<u64> {
    let reply = sim.oauth("GET", CUSTOMERS, query, None).await;
    assert_eq!(reply.status, 200, "{query:?}: {}", reply.text);
    ids(&reply.json())
}

#[tokio::test]
async fn the_recorded_lists_come_out_in_the_recorded_order() {
    let sim = Sim::fixtures();
    for name in [
        "GET-customers-per_page-10.json",
        "GET-customers-by-email.json",
        "GET-customers-by-email-nonexistent.json",
    ] {
        let rec = recording(name);
        let query: Vec<(String, String)> = rec["request"]["query"]
            .as_object()
            .map(|q| {
                q.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let refs: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let got = list(&sim, &refs).await;
        // The recorded store also had two older test customers (ids 2 and 3) the fixture lacks.
        let want: Vec<u64> = ids(&rec["body"])
            .into_iter()
            .filter(|id| *id >= 4)
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[tokio::test]
async fn roles_default_to_customer() {
    let sim = Sim::fixtures();
    assert_eq!(list(&sim, &[("orderby", "id")]).await, vec![4, 5, 6]);
    assert_eq!(
        list(&sim, &[("role", "all"), ("orderby", "id")]).await,
        vec![1, 4, 5, 6]
    );
    assert_eq!(list(&sim, &[("role", "administrator")]).await, vec![1]);
    assert_eq!(
        list(&sim, &[("role", "shop_manager")]).await,
        Vec::<u64>::new()
    );
    sim.store.with_data(|d| {
        if let Some(ben) = d.customers.get_mut(&5) {
            ben.role = "subscriber".to_owned();
        }
    });
    assert_eq!(list(&sim, &[("role", "subscriber")]).await, vec![5]);
    assert_eq!(list(&sim, &[("orderby", "id")]).await, vec![4, 6]);
    let reply = sim.oauth("GET", CUSTOMERS, &[("role", "vip")], None).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["data"]["details"]["role"]["code"],
        json!("rest_not_in_enum")
    );
}

#[tokio::test]
async fn search_looks_where_wordpress_looks() {
    let sim = Sim::fixtures();
    let search = |term: &'static str| {
        let sim = &sim;
        async move { list(sim, &[("search", term), ("orderby", "id"), ("role", "all")]).await }
    };
    assert_eq!(search("schmidt").await, vec![4], "login");
    assert_eq!(search("CLARA").await, vec![6], "case-insensitive");
    assert_eq!(
        search("ben-mueller").await,
        vec![5],
        "nicename (the login as a slug)"
    );
    assert_eq!(
        search("@example.test").await,
        vec![1, 4, 5, 6],
        "an @ searches the e-mail only"
    );
    assert_eq!(
        search("buchhaltung@").await,
        Vec::<u64>::new(),
        "billing e-mails are not user columns"
    );
    assert_eq!(
        search("Söhne").await,
        Vec::<u64>::new(),
        "names and addresses are not searched"
    );
    assert_eq!(
        search("Müller").await,
        Vec::<u64>::new(),
        "last names neither"
    );
    assert_eq!(search("*mueller*").await, vec![5], "wildcards are implied");
    assert_eq!(
        search("5").await,
        vec![5],
        "a number is an id (or part of a login)"
    );
    sim.store.with_data(|d| {
        if let Some(clara) = d.customers.get_mut(&6) {
            clara.url = "https://clara-weber.example".to_owned();
        }
        if let Some(anna) = d.customers.get_mut(&4) {
            anna.display_name = "Anna von Schmidt & Söhne".to_owned();
        }
    });
    assert_eq!(
        search("https://clara").await,
        vec![6],
        "a URL searches the website"
    );
    assert_eq!(
        search("weber.example").await,
        vec![6],
        "the website is also a plain column"
    );
    assert_eq!(search("von schmidt").await, vec![4], "display name");
    assert_eq!(
        search("sohne").await,
        vec![4],
        "accents compare like the database collation"
    );
    // `email` is exact and replaces the search.
    assert_eq!(
        list(
            &sim,
            &[("email", "Clara.Weber@example.test"), ("search", "anna")]
        )
        .await,
        vec![6]
    );
    assert_eq!(
        list(&sim, &[("email", "clara@example.test")]).await,
        Vec::<u64>::new()
    );
}

#[tokio::test]
async fn ordering_and_paging() {
    let sim = Sim::fixtures();
    assert_eq!(
        list(&sim, &[]).await,
        vec![4, 5, 6],
        "by display name, ascending"
    );
    assert_eq!(list(&sim, &[("order", "desc")]).await, vec![6, 5, 4]);
    sim.store.with_data(|d| {
        if let Some(anna) = d.customers.get_mut(&4) {
            anna.display_name = "Zora".to_owned();
        }
    });
    assert_eq!(list(&sim, &[]).await, vec![5, 6, 4]);
    assert_eq!(
        list(&sim, &[("orderby", "id"), ("order", "desc")]).await,
        vec![6, 5, 4]
    );
    assert_eq!(
        list(&sim, &[("orderby", "registered_date")]).await,
        vec![4, 5, 6]
    );
    assert_eq!(
        list(&sim, &[("orderby", "include"), ("include", "6,4,5")]).await,
        vec![6, 4, 5]
    );
    assert_eq!(
        list(
            &sim,
            &[
                ("orderby", "include"),
                ("include", "6,4,5"),
                ("order", "desc")
            ]
        )
        .await,
        vec![5, 4, 6],
        "FIELD() follows the direction"
    );
    assert_eq!(
        list(&sim, &[("orderby", "include")]).await,
        vec![4, 5, 6],
        "by login without a list"
    );
    assert_eq!(list(&sim, &[("exclude", "5")]).await, vec![6, 4]);

    let reply = sim
        .oauth(
            "GET",
            CUSTOMERS,
            &[("per_page", "2"), ("orderby", "id")],
            None,
        )
        .await;
    assert_eq!(ids(&reply.json()), vec![4, 5]);
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("3"));
    assert_eq!(reply.header("x-wp-totalpages").as_deref(), Some("2"));
    let link = reply.header("link").unwrap_or_default();
    assert!(link.ends_with("&page=2>; rel=\"next\""), "{link}");

    let reply = sim
        .oauth(
            "GET",
            CUSTOMERS,
            &[("per_page", "1"), ("offset", "1"), ("orderby", "id")],
            None,
        )
        .await;
    assert_eq!(ids(&reply.json()), vec![5]);
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.contains("page=1>; rel=\"prev\"") && link.contains("page=3>; rel=\"next\""),
        "{link}"
    );

    let reply = sim
        .oauth("GET", CUSTOMERS, &[("per_page", "2"), ("page", "5")], None)
        .await;
    assert_eq!(reply.text, "[]");
    assert_eq!(
        reply.header("x-wp-total").as_deref(),
        Some("3"),
        "totals even past the end"
    );
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.contains("?per_page=2&page=2&") && link.ends_with("rel=\"prev\""),
        "{link}"
    );
}
